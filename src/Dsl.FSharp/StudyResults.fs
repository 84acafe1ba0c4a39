/// StudyResults.fs: pure — what each study computed (plain arrays) turned into its claims, tables, figures and summary JSON.
module GenDsl.Dsl.StudyResults

open System
open System.Globalization
open System.Text.Json.Nodes

/// One Gaussian fit of ECE 8803 P1b: where it ended and both divergences there.
type KlFit =
    { Direction: string
      Mu: float
      Sigma: float
      /// KL(p || q) and KL(q || p) of the final q.
      Forward: float
      Reverse: float
      /// The minimised divergence after each step k = 0..Steps.
      Curve: float[] }

/// One transform of ECE 8803 P5: the histogram of its samples and the derived density on a grid.
type DensityCheck =
    { Transform: Transform
      /// Bin centres, bin width and counts / (n * width).
      Centres: float[]
      Width: float
      Heights: float[]
      /// The derived density on a grid over the histogram's range.
      Xs: float[]
      Density: float[]
      /// The Kolmogorov-Smirnov statistic sqrt(n) sup |F_n - F| against the derived CDF.
      Ks: float }

/// One GDA scheme of Mila Q6.
type GdaRun =
    { Scheme: GdaScheme
      /// (d_k, g_k), k = 0..Steps.
      Trajectory: float[][]
      /// Eigenvalues of the update matrix A as (re, im).
      Eigenvalues: (float * float) list
      /// det(A - I): (0, 0) is the only fixed point when it is not 0.
      DetAMinusI: float }

/// What a study produced; one case per kind of study.
type StudyOutcome =
    | KlAsymmetryResult of spec: KlAsymmetrySpec * xs: float[] * target: float[] * fits: KlFit list
    /// (stack name, field by autograd, field by composing the masks' offsets), rows top to bottom.
    | ReceptiveFieldsResult of spec: ReceptiveFieldSpec * fields: (string * bool[][] * bool[][]) list
    | GdaDynamicsResult of spec: GdaDynamicsSpec * runs: GdaRun list
    | ChangeOfVariablesResult of spec: ChangeOfVariablesSpec * checks: DensityCheck list
    /// Estimated phi with standard errors, sigma^2 and the log-likelihoods at the estimate and at the truth.
    | ArFitResult of spec: ArFitSpec * series: float[] * phi: float[] * stdErr: float[] * sigma2: float
                     * llAtEstimate: float * llClosedForm: float * llAtTruth: float

let private f4 (x: float) = x.ToString("0.0000", CultureInfo.InvariantCulture)
let private g6 (x: float) = x.ToString("G6", CultureInfo.InvariantCulture)
let private safe (s: string) = String(s.ToCharArray() |> Array.map (fun ch -> if Char.IsLetterOrDigit ch || ch = '-' then ch else '_'))

/// The moments of a 1-D Gaussian mixture: mean sum w m, variance sum w (s^2 + m^2) - mean^2.
let mixtureMoments (k: KlAsymmetrySpec) =
    let mean = List.map2 (*) k.Weights k.Means |> List.sum
    let second = List.zip3 k.Weights k.Means k.Scales |> List.sumBy (fun (w, m, s) -> w * (s * s + m * m))
    mean, second - mean * mean

/// The receptive field derived by hand: a masked 3x3 layer makes out(r, c) read (r, c-1) and (r+1, c-1..c+1), and
/// also (r, c) for type B; a stack composes these offsets from the last layer back, keeping only positions on the map
/// (zero padding stops a path through a position off the map). Rows top to bottom, 0-based pixel.
let handField (stack: MaskKind list) (height: int) (width: int) (row: int) (col: int) : bool[][] =
    let offsets m = [ (0, -1); (1, -1); (1, 0); (1, 1) ] @ (match m with MaskA -> [] | MaskB -> [ (0, 0) ])
    let inside (r, c) = r >= 0 && r < height && c >= 0 && c < width
    let field =
        List.foldBack (fun m (acc: Set<int * int>) ->
            set [ for (r, c) in acc do for (dr, dc) in offsets m do if inside (r + dr, c + dc) then (r + dr, c + dc) ]) stack (set [ row, col ])
    Array.init height (fun r -> Array.init width (fun c -> field.Contains(r, c)))

let stackName (stack: MaskKind list) = String.Join("", stack |> List.map (fun m -> match m with MaskA -> "A" | MaskB -> "B"))
let private schemeName s = match s with Simultaneous -> "simultaneous" | Alternating -> "alternating"
let transformName t =
    match t with
    | ReciprocalCauchy _ -> "1/X, X ~ Cauchy(0, 1)"
    | ExpNormal (mu, sigma) -> sprintf "e^Y, Y ~ N(%g, %g^2)" mu sigma
    | DistanceFromCentre -> "|U - (1,1)|, U ~ U([0,2]^2)"
let private norm (r: float[]) = sqrt (r.[0] * r.[0] + r.[1] * r.[1])
let private grid (b: bool[][]) = String.Join(" / ", b |> Array.map (fun r -> String(r |> Array.map (fun x -> if x then '#' else '.'))))

/// The seed's claims, checked on what the study produced: (claim, held).
let claims (label: string) (o: StudyOutcome) : (string * bool) list =
    let p s = sprintf "study %s: %s" label s
    match o with
    | KlAsymmetryResult (k, _, _, fits) ->
        let mean, var = mixtureMoments k
        [ match fits with
          | [ fwd; rev ] ->
              p (sprintf "forward KL matches p's moments: mu = %s (p's mean %s), sigma^2 = %s (p's variance %s), to 1%% of sd and variance" (f4 fwd.Mu) (f4 mean) (f4 (fwd.Sigma ** 2.0)) (f4 var)),
              abs (fwd.Mu - mean) <= 0.01 * sqrt var && abs (fwd.Sigma ** 2.0 / var - 1.0) <= 0.01
              let nearest = List.zip k.Means k.Scales |> List.minBy (fun (m, _) -> abs (m - rev.Mu))
              p (sprintf "reverse KL sits on one mode: mu = %s, sigma = %s vs the mode N(%g, %g^2) (within 10%% of its sd)" (f4 rev.Mu) (f4 rev.Sigma) (fst nearest) (snd nearest)),
              abs (rev.Mu - fst nearest) <= 0.1 * snd nearest && abs (rev.Sigma / snd nearest - 1.0) <= 0.1
              p (sprintf "each fit wins its own divergence: KL(p||q) %s < %s and KL(q||p) %s < %s" (f4 fwd.Forward) (f4 rev.Forward) (f4 rev.Reverse) (f4 fwd.Reverse)),
              fwd.Forward < rev.Forward && rev.Reverse < fwd.Reverse
          | _ -> p "two fits (forward, reverse) were made", false ]
    | ReceptiveFieldsResult (r, fields) ->
        [ for name, auto, hand in fields ->
            p (sprintf "%s: the autograd receptive field of pixel (%d, %d) equals the hand-derived one (%d pixels)" name r.Row r.Column (auto |> Array.sumBy (Array.sumBy (fun b -> if b then 1 else 0)))),
            auto = hand ]
    | GdaDynamicsResult (g, runs) ->
        let a = g.Alpha
        [ for run in runs do
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
    | ChangeOfVariablesResult (c, checks) ->
        // sqrt(n) D_n > 1.95 with probability about 0.001 under the derived law (Kolmogorov distribution)
        [ for d in checks ->
            p (sprintf "%s: samples follow the derived density (KS sqrt(n) D_n = %.3f < 1.95, the 0.1%% critical value)" (transformName d.Transform) d.Ks), d.Ks < 1.95 ]
    | ArFitResult (a, series, phi, se, s2, llHat, llClosed, llTrue) ->
        let m = float (series.Length - a.Order)
        [ if a.Order >= a.Phi.Length then
              let truth = Array.init a.Order (fun i -> if i < a.Phi.Length then a.Phi.[i] else 0.0)
              // asymptotic normal estimates: |z| > 4 with probability 6e-5 per coefficient
              let z = Array.map3 (fun h t e -> abs (h - t) / e) phi truth se |> Array.max
              p (sprintf "least squares recovers phi: every |phi_hat_i - phi_i| < 4 standard errors (largest %.2f)" z), z < 4.0
          // Var(sigma2_hat) ~ 2 sigma^4 / m
          let zs = abs (s2 - a.Sigma2) / (a.Sigma2 * sqrt (2.0 / m))
          p (sprintf "sigma^2_hat = mean squared residual = %s recovers sigma^2 = %g (%.2f standard errors < 4)" (f4 s2) a.Sigma2 zs), zs < 4.0
          p (sprintf "log-likelihood at the MLE = -m/2 (log(2 pi sigma^2_hat) + 1) = %s (the model's %s)" (f4 llClosed) (f4 llHat)),
          abs (llHat - llClosed) <= 1e-9 * abs llClosed
          // the MLE maximises the likelihood conditioned on the first p values; the truth's is conditioned the same way only when p >= its order
          if a.Order >= a.Phi.Length then p (sprintf "the MLE's log-likelihood %s >= the truth's %s" (f4 llHat) (f4 llTrue)), llHat >= llTrue - 1e-9 ]

/// The study's tables.
let tables (label: string) (o: StudyOutcome) : Report.Table list =
    match o with
    | KlAsymmetryResult (k, _, _, fits) ->
        let mean, var = mixtureMoments k
        [ { Caption = sprintf "%s: the two Gaussian fits and both divergences (nats); p's mean %s, variance %s" label (f4 mean) (f4 var)
            Headers = [ "fit"; "mu"; "sigma"; "KL(p||q)"; "KL(q||p)" ]
            Rows = [ for f in fits -> [ f.Direction; f4 f.Mu; f4 f.Sigma; f4 f.Forward; f4 f.Reverse ] ] } ]
    | ReceptiveFieldsResult (r, fields) ->
        [ { Caption = sprintf "%s: receptive field of output pixel (%d, %d) on the %dx%d map ('#' = in the field), autograd vs hand-derived" label r.Row r.Column r.Height r.Width
            Headers = [ "masks"; "autograd"; "hand-derived" ]
            Rows = [ for name, auto, hand in fields -> [ name; grid auto; grid hand ] ] } ]
    | GdaDynamicsResult (g, runs) ->
        [ { Caption = sprintf "%s: update matrices for a = %g, their eigenvalues and the growth of |x_k|" label g.Alpha
            Headers = [ "scheme"; "A"; "eigenvalues"; "|lambda|"; sprintf "|x_%d| / |x_0|" g.Steps ]
            Rows =
                [ for run in runs ->
                    let a = g.Alpha
                    let mat = match run.Scheme with Simultaneous -> sprintf "[[1, %g], [%g, 1]]" a (-a) | Alternating -> sprintf "[[1, %g], [%g, %g]]" a (-a) (1.0 - a * a)
                    let eig = String.Join(", ", run.Eigenvalues |> List.map (fun (re, im) -> sprintf "%s %s %si" (g6 re) (if im < 0.0 then "-" else "+") (g6 (abs im))))
                    let md = String.Join(", ", run.Eigenvalues |> List.map (fun (re, im) -> g6 (sqrt (re * re + im * im))))
                    [ schemeName run.Scheme; mat; eig; md; g6 (norm (Array.last run.Trajectory) / norm run.Trajectory.[0]) ] ] } ]
    | ChangeOfVariablesResult (c, checks) ->
        [ { Caption = sprintf "%s: %d samples per transform against the density derived by change of variables" label c.N
            Headers = [ "variable"; "derived density"; "KS sqrt(n) D_n" ]
            Rows =
                [ for d in checks ->
                    let formula =
                        match d.Transform with
                        | ReciprocalCauchy _ -> "p(y) = p_X(1/y) / y^2 = 1 / (pi (1 + y^2))"
                        | ExpNormal _ -> "p(x) = N(log x; mu, sigma^2) / x"
                        | DistanceFromCentre -> "f(z) = pi z / 2 on [0,1]; z (pi/2 - 2 acos(1/z)) on (1, sqrt 2]"
                    [ transformName d.Transform; formula; f4 d.Ks ] ] } ]
    | ArFitResult (a, series, phi, se, s2, llHat, llClosed, llTrue) ->
        [ { Caption = sprintf "%s: AR(%d) fitted to a series of length %d from the AR(%d) below" label a.Order series.Length a.Phi.Length
            Headers = [ "parameter"; "true"; "estimate"; "standard error" ]
            Rows =
                [ for i in 0 .. phi.Length - 1 do
                    yield [ sprintf "phi_%d" (i + 1); (if i < a.Phi.Length then g6 a.Phi.[i] else "0"); f4 phi.[i]; f4 se.[i] ]
                  yield [ "sigma^2"; g6 a.Sigma2; f4 s2; f4 (s2 * sqrt (2.0 / float (series.Length - a.Order))) ]
                  yield [ "log-likelihood"; f4 llTrue; f4 llHat; "" ]
                  yield [ "-m/2 (log(2 pi sigma^2_hat) + 1)"; ""; f4 llClosed; "" ] ] } ]

/// The study's figures.
let figures (label: string) (o: StudyOutcome) : Plots.Figure list =
    let id s = safe (label + "-" + s)
    match o with
    | KlAsymmetryResult (_, xs, target, fits) ->
        let gauss (f: KlFit) = xs |> Array.map (fun x -> exp (-0.5 * ((x - f.Mu) / f.Sigma) ** 2.0) / (f.Sigma * sqrt (2.0 * Math.PI)))
        [ Plots.figure (id "fits") (sprintf "%s: target p and the Gaussians minimising KL(p||q) and KL(q||p)" label) "x" "density" false
              ([ Plots.line "target p" xs target ] @ [ for f in fits -> Plots.dashedLine (sprintf "%s fit N(%.2f, %.2f^2)" f.Direction f.Mu f.Sigma) xs (gauss f) ])
          Plots.figure (id "curves") (sprintf "%s: the minimised divergence vs gradient step" label) "step k" "KL (nats)" false
              [ for f in fits -> Plots.line f.Direction (f.Curve |> Array.mapi (fun i _ -> float i)) f.Curve ]
          |> Plots.withAxis "yaxis" "type" (JsonValue.Create "log") ]
    | ReceptiveFieldsResult (r, fields) ->
        [ for name, auto, _ in fields ->
            let z = auto |> Array.map (Array.map (fun b -> if b then 1.0 else 0.0))
            Plots.figure (id ("rf-" + name)) (sprintf "%s: masks %s, receptive field of output pixel (%d, %d)" label name r.Row r.Column) "column" "row" true [ Plots.cells name z ]
            |> Plots.withAxis "yaxis" "autorange" (JsonValue.Create "reversed")
            |> Plots.withAxis "xaxis" "constrain" (JsonValue.Create "domain")
            |> Plots.withAxis "xaxis" "dtick" (JsonValue.Create 1)
            |> Plots.withAxis "yaxis" "dtick" (JsonValue.Create 1) ]
    | GdaDynamicsResult (g, runs) ->
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
          |> Plots.withAxis "yaxis" "type" (JsonValue.Create "log")
          Plots.figure (id "eigenvalues") (sprintf "%s: eigenvalues of the update matrix" label) "Re lambda" "Im lambda" true
              ([ Plots.dashedLine "unit circle" ux uy; Plots.dashedLine "|lambda| = sqrt(1 + a^2)" sx sy ]
               @ [ for r in runs -> Plots.markers (schemeName r.Scheme) "x" (r.Eigenvalues |> List.map fst) (r.Eigenvalues |> List.map snd) ]) ]
    | ChangeOfVariablesResult (c, checks) ->
        [ for i, d in List.indexed checks ->
            Plots.figure (id (sprintf "density-%d" i)) (sprintf "%s: %s, histogram of %d samples vs the derived density" label (transformName d.Transform) c.N) "value" "density" false
                [ Plots.barsAt "samples (histogram)" d.Centres d.Heights d.Width; Plots.line "derived density" d.Xs d.Density ] ]
    | ArFitResult (a, series, phi, se, _, _, _, _) ->
        let shown = series |> Array.truncate 400
        let names = [ for i in 1 .. max phi.Length a.Phi.Length -> sprintf "phi_%d" i ]
        let pad (xs: float[]) = names |> List.mapi (fun i _ -> if i < xs.Length then xs.[i] else 0.0)
        [ Plots.figure (id "series") (sprintf "%s: the simulated series (first %d of %d values)" label shown.Length series.Length) "t" "x_t" false
              [ Plots.line "x_t" (shown |> Array.mapi (fun t _ -> float t)) shown ]
          Plots.figure (id "coefficients") (sprintf "%s: estimated (+- 2 standard errors) vs true coefficients" label) "coefficient" "value" false
              [ Plots.bars "true" names (pad (List.toArray a.Phi)); Plots.barsWithErrors "estimate" names (pad phi) (pad (se |> Array.map ((*) 2.0))) ] ]

/// A short description written above the study's tables.
let paragraph (o: StudyOutcome) =
    match o with
    | KlAsymmetryResult (k, _, _, _) -> sprintf "Target p = mixture of N(m, s^2) with weights %A, means %A, sds %A; both fits start at N(%g, %g^2) and take %d gradient steps of %g on (mu, log sigma), integrals by Simpson's rule on %d points over [%g, %g]." k.Weights k.Means k.Scales k.StartMu k.StartSigma k.Steps k.LearningRate k.GridPoints k.GridLo k.GridHi
    | ReceptiveFieldsResult (r, _) -> sprintf "Two or more masked 3x3 convolutions with %d hidden channels and positive weights (no cancelling paths); the field is where d out(%d, %d) / d x is non-zero (1-based pixel, rows top to bottom)." r.Channels r.Row r.Column
    | GdaDynamicsResult (g, _) -> sprintf "d ascends and g descends V(d, g) = d g with step a = %g for %d steps from (%g, %g); gradients by autograd." g.Alpha g.Steps g.D0 g.G0
    | ChangeOfVariablesResult (c, _) -> sprintf "%d samples per variable, %d histogram bins normalised to a density (counts / (n * width)); samples outside the plotted range count in n but get no bar." c.N c.Bins
    | ArFitResult (a, _, _, _, _, _, _, _) -> sprintf "x_t = sum_i phi_i x_{t-i} + e_t, e_t ~ N(0, %g), from p zeros; the fit conditions on the first %d values and solves the normal equations (X^T X) phi = X^T y; sigma^2_hat = SSE / m with m = T - p." a.Sigma2 a.Order

let private num (x: float) : JsonNode = if Double.IsFinite x then JsonValue.Create x else JsonValue.Create(string x)
let private nums (xs: float seq) : JsonNode = JsonArray(xs |> Seq.map num |> Seq.toArray)

/// The study's numbers for summary.json.
let summary (label: string) (o: StudyOutcome) : JsonNode =
    let o' (fields: (string * JsonNode) list) =
        let x = JsonObject()
        for k, v in fields do x.[k] <- v
        x :> JsonNode
    let obj fields = o' (("label", JsonValue.Create label :> JsonNode) :: fields)
    match o with
    | KlAsymmetryResult (_, _, _, fits) ->
        obj [ for f in fits -> f.Direction, o' [ "mu", num f.Mu; "sigma", num f.Sigma; "kl_pq", num f.Forward; "kl_qp", num f.Reverse ] ]
    | ReceptiveFieldsResult (_, fields) -> obj [ for name, auto, _ in fields -> name, JsonArray(auto |> Array.map (fun r -> JsonValue.Create(String(r |> Array.map (fun b -> if b then '#' else '.'))) :> JsonNode)) ]
    | GdaDynamicsResult (_, runs) ->
        obj [ for r in runs -> schemeName r.Scheme, o' [ "eigen_re", nums (r.Eigenvalues |> List.map fst); "eigen_im", nums (r.Eigenvalues |> List.map snd); "final_norm", num (norm (Array.last r.Trajectory)) ] ]
    | ChangeOfVariablesResult (_, checks) -> obj [ for d in checks -> transformName d.Transform, o' [ "ks", num d.Ks ] ]
    | ArFitResult (_, _, phi, se, s2, llHat, _, llTrue) ->
        obj [ "phi", nums phi; "std_err", nums se; "sigma2", num s2; "log_likelihood", num llHat; "log_likelihood_truth", num llTrue ]
