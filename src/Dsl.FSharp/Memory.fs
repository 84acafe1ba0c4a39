/// Memory.fs: what a checked plan will allocate, estimated from its sizes before anything is allocated, and refused
/// with the estimate when it exceeds the memory this process may use.
module GenDsl.Dsl.Memory

open System

/// "1.5 GB" (decimal units, as every disk vendor does; one significant decimal).
let bytesText (b: float) =
    if b >= 1e12 then sprintf "%.1f TB" (b / 1e12)
    elif b >= 1e9 then sprintf "%.1f GB" (b / 1e9)
    elif b >= 1e6 then sprintf "%.1f MB" (b / 1e6)
    else sprintf "%.0f kB" (b / 1e3)

/// Bytes a case needs at its peak, with what they are made of: its family's estimate and the images drawn for the
/// report (rows of float64 numbers, and their JSON text, about 20 bytes a number).
let private caseBytes (e: Experiment) (pc: PlannedCase) : float * string =
    let model, what = (Families.ops pc.Case.Model).Bytes e pc
    let d = float (max 1 pc.Dim)
    let pictures =
        e.Plots |> List.sumBy (fun p -> match p with Samples k | Reconstructions k -> 2.0 * float k * d * (8.0 + 20.0) | _ -> 0.0)
    model + pictures, what

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
