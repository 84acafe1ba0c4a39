/// Nets.fs: network values (Layer lists) made into the core's modules, with the input shape the checker inferred.
module GenDsl.Dsl.Nets

open GenDsl.Torch

/// A Sequential for `layers` applied to examples of shape `input` (batch left out); parameters drawn from `g`
/// with PyTorch's initialisation. The checker has already proven that the layers chain.
let rec build (g: Generator) (layers: Layer list) (input: int list) : NN.Sequential =
    let seq = new NN.Sequential()
    let mutable shape = input
    for l in layers do
        let m: NN.Module =
            match l with
            | Linear n -> new NN.Linear(int64 (List.last shape), int64 n, generator = g) :> _
            | Conv2d (c, k, s, p) -> new NN.Conv2d(int64 shape.Head, int64 c, int64 k, stride = int64 s, padding = int64 p, generator = g) :> _
            | ConvTranspose2d (c, k, s, p, op) ->
                new NN.ConvTranspose2d(int64 shape.Head, int64 c, int64 k, stride = int64 s, padding = int64 p, outputPadding = int64 op, generator = g) :> _
            | Relu -> new NN.ReLU() :> _
            | LeakyRelu slope -> new NN.LeakyReLU(slope) :> _
            | Tanh -> new NN.Tanh() :> _
            | Sigmoid -> new NN.Sigmoid() :> _
            | Gelu -> new NN.GELU() :> _
            | Softplus -> new NN.Softplus() :> _
            | Dropout p -> new NN.Dropout(p) :> _
            | LayerNorm -> new NN.LayerNorm(int64 (List.last shape)) :> _
            | Flatten -> new NN.Flatten() :> _
            | Unflatten s -> new NN.Unflatten(1L, s |> List.map int64 |> List.toArray) :> _
            | Residual inner -> new NN.Residual(build g inner shape) :> _
        seq.Append m |> ignore
        shape <- match Shapes.layerOutput l shape with Ok s -> s | Error why -> invalidOp why
    seq

/// Number of trained numbers in a module.
let parameterCount (m: NN.Module) = m.Parameters() |> Seq.sumBy (fun p -> p.NumEl)
