/// Shapes.fs: pure — the output shape of each layer of a network value for an input shape (batch dimension left
/// out), or why the layer cannot take it; the checker, the memory estimate and the network builder all use it.
module GenDsl.Dsl.Shapes

open System

let private product (s: int list) = List.fold (*) 1 s
let shapeText (s: int list) = "(" + String.Join(", ", s) + ")"

/// A layer as a user wrote it (`Linear 400`, `Conv2d (32, 3, 2, 1)`).
let layerText (l: Layer) =
    match l with
    | Residual inner -> sprintf "Residual [%d layers]" inner.Length
    | _ -> (sprintf "%A" l).Replace("\n", " ")

/// The output shape of one layer for an input shape (batch dimension left out), or why it cannot take that input.
let rec layerOutput (l: Layer) (s: int list) : Result<int list, string> =
    let conv outC k st p (f: int -> int) =
        match s with
        | [ _; h; w ] ->
            if k < 1 || st < 1 || p < 0 || outC < 1 then Error(sprintf "channels, kernel and stride must be >= 1 and padding >= 0")
            else
                let oh, ow = f h, f w
                if oh < 1 || ow < 1 then Error(sprintf "the input %s is too small for kernel %d, stride %d, padding %d" (shapeText s) k st p)
                else Ok [ outC; oh; ow ]
        | _ -> Error(sprintf "needs (channels, height, width) input, got %s: load images with Data.images, or put Unflatten before it" (shapeText s))
    match l with
    | Linear n ->
        if n < 1 then Error(sprintf "needs >= 1 output features, got %d" n)
        elif s.IsEmpty then Error "needs an input with a feature dimension"
        else Ok(List.take (s.Length - 1) s @ [ n ])
    | Conv2d (c, k, st, p) -> conv c k st p (fun x -> (x + 2 * p - k) / st + 1)
    | ConvTranspose2d (c, k, st, p, op) ->
        if op < 0 || op >= st then Error(sprintf "output padding must be in 0..stride-1, got %d" op)
        else conv c k st p (fun x -> (x - 1) * st - 2 * p + k + op)
    | Relu | Tanh | Sigmoid | Gelu | Softplus | LayerNorm -> Ok s
    | LeakyRelu slope -> if Double.IsFinite slope then Ok s else Error "the slope must be finite"
    | Dropout p -> if p >= 0.0 && p < 1.0 then Ok s else Error(sprintf "the drop probability must be in [0, 1), got %g" p)
    | Flatten -> Ok [ product s ]
    | Unflatten shape ->
        if shape.IsEmpty || shape |> List.exists (fun x -> x < 1) then Error(sprintf "needs a shape of positive sizes, got %s" (shapeText shape))
        elif s.Length <> 1 then Error(sprintf "needs a flat input, got %s: put Flatten before it" (shapeText s))
        elif product shape <> s.Head then Error(sprintf "cannot reshape %d features to %s (%d)" s.Head (shapeText shape) (product shape))
        else Ok shape
    | Residual inner ->
        match netOutput inner s with
        | Ok o when o = s -> Ok s
        | Ok o -> Error(sprintf "its layers turn %s into %s, but a residual block must keep the shape" (shapeText s) (shapeText o))
        | Error (i, why) -> Error(sprintf "inner layer %d (%s): %s" i (layerText inner.[i]) why)

/// The output shape of a network, or the first layer that does not fit (its index, why).
and netOutput (layers: Layer list) (input: int list) : Result<int list, int * string> =
    let folder acc (i, l) = acc |> Result.bind (fun s -> layerOutput l s |> Result.mapError (fun why -> i, why))
    List.fold folder (Ok input) (List.indexed layers)

