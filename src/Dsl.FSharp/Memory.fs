/// Memory.fs: what a checked plan will allocate, estimated from its sizes before anything is allocated, and refused
/// with the estimate when it exceeds the memory this process may use.
module GenDsl.Dsl.Memory

open System

let private f64, f32 = 8.0, 4.0

/// "1.5 GB" (decimal units, as `free -h` does not but every disk vendor does; one significant decimal).
let bytesText (b: float) =
    if b >= 1e12 then sprintf "%.1f TB" (b / 1e12)
    elif b >= 1e9 then sprintf "%.1f GB" (b / 1e9)
    elif b >= 1e6 then sprintf "%.1f MB" (b / 1e6)
    else sprintf "%.0f kB" (b / 1e3)

/// Trained numbers and the largest activation (numbers per example) of a network for an input shape.
let private netSizes (layers: Layer list) (input: int list) =
    let rec go (layers: Layer list) (shape: int list) (pars: float) (act: float) =
        match layers with
        | [] -> pars, act
        | l :: rest ->
            let outShape = match Shapes.layerOutput l shape with Ok s -> s | Error _ -> shape
            let numel (s: int list) = s |> List.fold (fun a x -> a * float x) 1.0
            let p =
                match l, shape with
                | Linear n, _ when not shape.IsEmpty -> float (List.last shape) * float n + float n
                | Conv2d (c, k, _, _), inC :: _ | ConvTranspose2d (c, k, _, _, _), inC :: _ -> float inC * float c * float k * float k + float c
                | LayerNorm, _ when not shape.IsEmpty -> 2.0 * float (List.last shape)
                | Residual inner, _ -> fst (go inner shape 0.0 0.0)
                | _ -> 0.0
            go rest outShape (pars + p) (max act (numel outShape))
    go layers input 0.0 0.0

/// Bytes a case needs at its peak, with what they are made of.
let private caseBytes (e: Experiment) (pc: PlannedCase) : float * string =
    let c = pc.Case
    let n, d = float pc.N, float (max 1 pc.Dim)
    let batchOf () =
        c.Fits |> List.map (fun f -> match f.Fitter with Gradient t -> (match t.Batch with Some b -> float b | None -> n) | Em _ | ClosedForm -> n) |> List.fold max 1.0
    // Images drawn for the report: rows of float64 numbers, and their JSON text (about 20 bytes a number).
    let pictures =
        e.Plots |> List.sumBy (fun p -> match p with Samples k | Reconstructions k -> 2.0 * float k * d * (f64 + 20.0) | _ -> 0.0)
    let data, model, what =
        match c.Data, c.Model with
        | _, Gmm g ->
            let k = float g.K
            let cov = match g.Covariance with Full -> k * d | _ -> 0.0
            // the points (and the draw that made them), then responsibilities and log-densities N x K, centred points per component.
            let data = 3.0 * n * d * f64
            let fits = n * (4.0 * k + cov) * f64
            let grid = e.Plots |> List.sumBy (fun p -> match p with DensityHeatmap m -> float m * float m * (2.0 + k) * f64 | _ -> 0.0)
            data, fits + grid, sprintf "%g points of dimension %g and K = %g" n d k
        | Mnist _, Bmm b ->
            let k = float b.K
            // float32 images for training and test, responsibilities N x K, the K x D probabilities.
            let data = 2.0 * n * d * f32
            data, n * k * f64 * 3.0 + k * d * f64 * 3.0, sprintf "%g images of %g pixels and K = %g" n d k
        | _, Vae v ->
            let pe, ae = netSizes v.Encoder pc.Shape
            let pd, ad = netSizes v.Decoder v.Latent
            // parameters with their gradients and Adam's two moments; activations of a batch (forward and backward).
            let b = batchOf ()
            2.0 * n * d * f32, 4.0 * (pe + pd) * f32 + 2.0 * b * (ae + ad + d) * f32, sprintf "%g images of %g pixels" n d
        | _, Nice m ->
            let h, half = float m.Hidden, d / 2.0
            let pars = float m.Couplings * (half * h + float (m.HiddenLayers - 1) * h * h + h * half) + d
            let b = batchOf ()
            2.0 * n * d * f32, 4.0 * pars * f32 + 2.0 * b * float m.Couplings * (h + d) * f32, sprintf "%g images of %g pixels" n d
        | _ -> 0.0, 0.0, "its data"   // a pairing the checker refuses, or a family without an estimate yet
    data + model + pictures, what

/// The memory this process may use: the machine's, or its container's limit.
let available () = float (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)

/// Every case or study whose estimated peak exceeds `limit` bytes, as errors giving the estimate.
let errorsWithin (limit: float) (plan: Plan) : DslError list =
    [ for pc in plan.Cases do
        let b, what = caseBytes plan.Experiment pc
        if b > limit then
            BadSetting(sprintf "case '%s'" pc.Case.Label,
                       sprintf "%s need about %s of memory, more than the %s this machine allows: make it smaller (e.g. --set data.n=..., data.subset=... or fewer components)" what (bytesText b) (bytesText limit))
      for s in plan.Experiment.Studies do
        let b = Studies.bytes s
        if b > limit then
            BadSetting(sprintf "study '%s'" s.Label,
                       sprintf "needs about %s of memory, more than the %s this machine allows: use fewer samples, steps or grid points" (bytesText b) (bytesText limit)) ]

/// errorsWithin the memory this process may use.
let errors (plan: Plan) = errorsWithin (available ()) plan
