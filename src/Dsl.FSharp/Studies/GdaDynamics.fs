/// Studies/GdaDynamics.fs: the GDA-dynamics study (Mila Q6) — its checks, memory estimate, run (trajectories and
/// update matrices with the core), claims, table, figures and summary.
module GenDsl.Dsl.GdaDynamicsStudy

open System
open System.Text.Json.Nodes
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Dsl.StudyCommon

let check (l: string) (g: GdaDynamicsSpec) : DslError list =
    [ if not (g.Alpha > 0.0) then NonPositiveLearningRate(l, "gda", g.Alpha)
      if g.Steps < 1 then NonPositiveSteps(l, "gda", g.Steps)
      if g.Schemes.IsEmpty then EmptyStudy(l, "GDA schemes")
      yield! duplicates "GDA scheme" (g.Schemes |> List.map (sprintf "%A")) ]

/// Bytes at the peak: a few copies of the (Steps, 2) trajectory.
let bytes (g: GdaDynamicsSpec) = 4.0 * float g.Steps * 2.0 * float64Bytes

/// One GDA scheme's run.
type GdaRun =
    { Scheme: GenDsl.Dsl.GdaScheme
      /// (d_k, g_k), k = 0..Steps.
      Trajectory: float[][]
      /// Eigenvalues of the update matrix A as (re, im).
      Eigenvalues: (float * float) list
      /// det(A - I): (0, 0) is the only fixed point when it is not 0.
      DetAMinusI: float }

type Outcome = { Spec: GdaDynamicsSpec; Runs: GdaRun list }

/// The simulated trajectory (autograd gradients), the update matrix's eigenvalues and det(A - I), per scheme.
let run (s: GdaDynamicsSpec) : Outcome =
    let runs =
        [ for scheme in s.Schemes ->
            use _s = Scope.Begin()
            let core = match scheme with Simultaneous -> GenDsl.Models.GdaScheme.Simultaneous | Alternating -> GenDsl.Models.GdaScheme.Alternating
            let traj = GanDynamics.Simulate(s.D0, s.G0, s.Alpha, s.Steps, core)   // (steps + 1, 2)
            let a = GanDynamics.UpdateMatrix(s.Alpha, core)
            let struct (re, im) = Linalg.Eigvals a
            { Scheme = scheme
              Trajectory = flat traj |> Array.chunkBySize 2
              Eigenvalues = Array.zip (flat re) (flat im) |> List.ofArray
              DetAMinusI = (Linalg.Det(a - Torch.Eye(2L, dtype = f64))).ToDouble() } ]
    { Spec = s; Runs = runs }

let private schemeName s = match s with Simultaneous -> "simultaneous" | Alternating -> "alternating"
let private norm (r: float[]) = sqrt (r.[0] * r.[0] + r.[1] * r.[1])

/// The seed's claims: (0, 0) is the only stationary point; simultaneous GDA spirals out at rate sqrt(1 + a^2);
/// alternating GDA keeps |lambda| = 1 and conserves d^2 + a d g + g^2.
let claims (label: string) (o: Outcome) : (string * bool) list =
    let p = claim label
    let g = o.Spec
    let a = g.Alpha
    [ for run in o.Runs do
        let x0 = norm run.Trajectory.[0]
        let moduli = run.Eigenvalues |> List.map (fun (re, im) -> sqrt (re * re + im * im))
        p (sprintf "%s: (0, 0) is the only stationary point (det(A - I) = %s != 0)" (schemeName run.Scheme) (g6 run.DetAMinusI)), abs run.DetAMinusI > 1e-12
        match run.Scheme with
        | Simultaneous ->
            let r = sqrt (1.0 + a * a)
            p (sprintf "simultaneous: |lambda| = sqrt(1 + a^2) = %s (eigenvalues 1 +- i a; got %s)" (g6 r) (String.Join(", ", moduli |> List.map g6))),
            moduli |> List.forall (fun m -> abs (m - r) < 1e-12)
            let worst = run.Trajectory |> Array.mapi (fun k x -> abs (norm x / (x0 * r ** float k) - 1.0)) |> Array.max
            p (sprintf "simultaneous: |x_k| = sqrt(1 + a^2)^k |x_0| for k = 0..%d: it spirals out (largest relative deviation %.1e)" g.Steps worst), worst < 1e-9
        | Alternating ->
            p (sprintf "alternating: |lambda| = 1 (det A = 1, a < 2; got %s)" (String.Join(", ", moduli |> List.map g6))),
            a < 2.0 && moduli |> List.forall (fun m -> abs (m - 1.0) < 1e-12)
            let q (x: float[]) = x.[0] * x.[0] + a * x.[0] * x.[1] + x.[1] * x.[1]
            let worst = run.Trajectory |> Array.map (fun x -> abs (q x - q run.Trajectory.[0])) |> Array.max
            p (sprintf "alternating: d^2 + a d g + g^2 is conserved, so the iterates stay on one ellipse (largest change %.1e)" worst), worst < 1e-9 * max 1.0 (q run.Trajectory.[0]) ]

let tables (label: string) (o: Outcome) : Report.Table list =
    let g = o.Spec
    [ { Caption = sprintf "%s: update matrices for a = %g, their eigenvalues and the growth of |x_k|" label g.Alpha
        Headers = [ "scheme"; "A"; "eigenvalues"; "|lambda|"; sprintf "|x_%d| / |x_0|" g.Steps ]
        Rows =
            [ for run in o.Runs ->
                let a = g.Alpha
                let mat = match run.Scheme with Simultaneous -> sprintf "[[1, %g], [%g, 1]]" a (-a) | Alternating -> sprintf "[[1, %g], [%g, %g]]" a (-a) (1.0 - a * a)
                let eig = String.Join(", ", run.Eigenvalues |> List.map (fun (re, im) -> sprintf "%s %s %si" (g6 re) (if im < 0.0 then "-" else "+") (g6 (abs im))))
                let md = String.Join(", ", run.Eigenvalues |> List.map (fun (re, im) -> g6 (sqrt (re * re + im * im))))
                [ schemeName run.Scheme; mat; eig; md; g6 (norm (Array.last run.Trajectory) / norm run.Trajectory.[0]) ] ] } ]

let figures (label: string) (o: Outcome) : Plots.Figure list =
    let g, runs = o.Spec, o.Runs
    let id = figureId label
    let ks = [| for k in 0 .. g.Steps -> float k |]
    let x0 = runs |> List.tryHead |> Option.map (fun r -> norm r.Trajectory.[0]) |> Option.defaultValue 1.0
    let circle r = [| for i in 0 .. 100 -> r * cos (2.0 * Math.PI * float i / 100.0) |], [| for i in 0 .. 100 -> r * sin (2.0 * Math.PI * float i / 100.0) |]
    let ux, uy = circle 1.0
    let sx, sy = circle (sqrt (1.0 + g.Alpha * g.Alpha))
    [ Plots.figure (id "trajectory") (sprintf "%s: GDA on V = d g, a = %g, from (%g, %g)" label g.Alpha g.D0 g.G0) "d (discriminator)" "g (generator)" true
          [ for r in runs -> Plots.path (schemeName r.Scheme) (r.Trajectory |> Array.map (fun x -> x.[0])) (r.Trajectory |> Array.map (fun x -> x.[1])) ]
      Plots.figure (id "norms") (sprintf "%s: |x_k| vs k against sqrt(1 + a^2)^k |x_0|" label) "step k" "|(d_k, g_k)|" false
          ([ for r in runs -> Plots.line (schemeName r.Scheme) ks (r.Trajectory |> Array.map norm) ]
           @ [ Plots.dashedLine "sqrt(1 + a^2)^k |x_0|" ks (ks |> Array.map (fun k -> x0 * (1.0 + g.Alpha * g.Alpha) ** (k / 2.0))) ])
      |> Plots.logScale Plots.YAxis
      Plots.figure (id "eigenvalues") (sprintf "%s: eigenvalues of the update matrix" label) "Re lambda" "Im lambda" true
          ([ Plots.dashedLine "unit circle" ux uy; Plots.dashedLine "|lambda| = sqrt(1 + a^2)" sx sy ]
           @ [ for r in runs -> Plots.markers (schemeName r.Scheme) "x" (r.Eigenvalues |> List.map fst) (r.Eigenvalues |> List.map snd) ]) ]

let paragraph (o: Outcome) =
    let g = o.Spec
    sprintf "d ascends and g descends V(d, g) = d g with step a = %g for %d steps from (%g, %g); gradients by autograd." g.Alpha g.Steps g.D0 g.G0

let summary (label: string) (o: Outcome) : JsonNode =
    summaryOf label
        [ for r in o.Runs ->
            schemeName r.Scheme, fields [ "eigen_re", nums (r.Eigenvalues |> List.map fst); "eigen_im", nums (r.Eigenvalues |> List.map snd); "final_norm", num (norm (Array.last r.Trajectory)) ] ]

/// This study's operations for the dispatcher (Studies.fs).
let ops (g: GdaDynamicsSpec) : StudyOps =
    { Check = fun label -> check label g
      Bytes = fun () -> bytes g
      Run = fun _ label ->
          let o = run g
          { Claims = claims label o; Paragraph = paragraph o; Tables = tables label o; Figures = figures label o; Summary = summary label o } }
