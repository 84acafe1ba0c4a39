/// InterpretStudies.fs: the interpreter's half for studies — computes each study with the core and returns plain arrays (no IO: Interpret.fs writes the files).
module GenDsl.Dsl.InterpretStudies

open System
open GenDsl.Torch
open GenDsl.Distributions
open GenDsl.Inference
open GenDsl.Models
open GenDsl.Dsl.StudyResults

let private f64 = ScalarType.Float64
let private flat (t: Tensor) : float[] = t.To(f64).Cpu().ToArray<float>()
let private linspace (lo: float) (hi: float) (n: int) = Array.init n (fun i -> lo + (hi - lo) * float i / float (n - 1))
let private ofArray (xs: float[]) = Torch.Tensor<float>(xs)

/// ECE 8803 P1b: both fits by autograd on the quadrature grid, then both divergences of each final q.
let private klAsymmetry (k: KlAsymmetrySpec) =
    let target = NormalMixture.OneD(List.toArray k.Weights, List.toArray k.Means, List.toArray k.Scales)
    let logP (x: Tensor) = target.LogProb(x.Unsqueeze(1L)) // (n) -> (n, 1) -> (n)
    let n = int64 k.GridPoints
    let fit (name: string) dir =
        let r = GaussianKlFit.Fit(dir, Func<Tensor, Tensor> logP, k.StartMu, k.StartSigma, k.LearningRate, k.Steps, k.GridLo, k.GridHi, n)
        let kl d = GaussianKlFit.Evaluate(d, Func<Tensor, Tensor> logP, r.Mu, r.Sigma, k.GridLo, k.GridHi, n)
        { Direction = name; Mu = r.Mu; Sigma = r.Sigma; Forward = kl KlDirection.Forward; Reverse = kl KlDirection.Reverse; Curve = r.Curve }
    let xs = linspace k.GridLo k.GridHi 601
    let p = flat (logP(ofArray xs).Exp())
    KlAsymmetryResult(k, xs, p, [ fit "forward KL(p||q)" KlDirection.Forward; fit "reverse KL(q||p)" KlDirection.Reverse ])

let private toRows (b: bool[,]) = Array.init (Array2D.length1 b) (fun i -> Array.init (Array2D.length2 b) (fun j -> b.[i, j]))

/// Mila Q1: one masked-conv net per stack; the field of the (1-based) pixel by autograd, next to the hand derivation.
let private receptiveFields (seed: uint64) (r: ReceptiveFieldSpec) =
    use g = new Generator(seed)
    let fields =
        [ for stack in r.Stacks ->
            let types = stack |> List.map (fun m -> match m with MaskA -> MaskType.A | MaskB -> MaskType.B) |> List.toArray
            let net = MaskedConvNet(types, r.Channels, 3, g)
            let auto = net.ReceptiveField(r.Height, r.Width, r.Row - 1, r.Column - 1) |> toRows
            stackName stack, auto, handField stack r.Height r.Width (r.Row - 1) (r.Column - 1) ]
    ReceptiveFieldsResult(r, fields)

/// Mila Q6: the simulated trajectory (autograd gradients), the update matrix's eigenvalues and det(A - I).
let private gdaDynamics (s: GdaDynamicsSpec) =
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
    GdaDynamicsResult(s, runs)

/// sqrt(n) sup_x |F_n(x) - F(x)| for samples and a CDF evaluated at the sorted samples.
let private ks (sorted: float[]) (cdf: float[]) =
    let n = float sorted.Length
    let d = cdf |> Array.mapi (fun i f -> max (float (i + 1) / n - f) (f - float i / n)) |> Array.max
    sqrt n * d

/// ECE 8803 P5: samples of each variable, their histogram, the density derived by change of variables, a KS statistic.
let private changeOfVariables (seed: uint64) (c: ChangeOfVariablesSpec) =
    use g = new Generator(defaultArg c.Seed seed)
    let n = int64 c.N
    let checks =
        [ for t in c.Transforms ->
            use _s = Scope.Begin()
            // samples, plotted range, derived density on a grid, CDF at points
            let samples, lo, hi, density, cdf =
                match t with
                | ReciprocalCauchy range ->
                    let x = Cauchy(0.0, 1.0)
                    // p_Y(y) = p_X(1/y) |d(1/y)/dy| = p_X(1/y) / y^2
                    let dens (ys: float[]) = flat ((x.LogProb((ofArray ys).Reciprocal()) - (ofArray ys).Square().Log()).Exp())
                    flat (x.Sample(n, g).Reciprocal()), -range, range, dens, (fun (v: float[]) -> flat (x.Cdf(ofArray v)))
                | ExpNormal (mu, sigma) ->
                    let y = Normal(mu, sigma)
                    let ln = LogNormal(mu, sigma)
                    flat (y.Sample(n, g).Exp()), 0.0, exp (mu + 3.0 * sigma), (fun ys -> flat (ln.Prob(ofArray ys))), (fun v -> flat (y.Cdf((ofArray v).Log())))
                | DistanceFromCentre ->
                    let z = SquareCentreDistance()
                    flat (z.Sample(n, g)), 0.0, sqrt 2.0, Array.map SquareCentreDistance.Density, Array.map SquareCentreDistance.Cdf
            let width = (hi - lo) / float c.Bins
            let counts = Array.zeroCreate c.Bins
            for v in samples do
                if v >= lo && v < hi then
                    let b = min (c.Bins - 1) (int ((v - lo) / width))
                    counts.[b] <- counts.[b] + 1
            // avoid the grid point 0 for 1/Cauchy (the derived formula is 0/0 there; the density's limit is 1/pi)
            let xs = linspace lo hi 400 |> Array.map (fun x -> if x = 0.0 then 1e-9 else x)
            let sorted = Array.sort samples
            { Transform = t
              Centres = Array.init c.Bins (fun b -> lo + (float b + 0.5) * width)
              Width = width
              Heights = counts |> Array.map (fun k -> float k / (float c.N * width))
              Xs = xs
              Density = density xs
              Ks = ks sorted (cdf sorted) } ]
    ChangeOfVariablesResult(c, checks)

/// Seed 002 P1: simulate, fit by least squares, standard errors sqrt(sigma^2_hat diag((X^T X)^-1)), log-likelihoods.
let private arFit (seed: uint64) (a: ArFitSpec) =
    use g = new Generator(defaultArg a.Seed seed)
    let truth = ArModel(List.toArray a.Phi, a.Sigma2)
    let x = truth.Simulate(1L, a.Length, g)                          // (1, T)
    let fitted = ArModel.Fit(x, a.Order)
    use _s = Scope.Begin()
    let struct (design, _) = ArModel.LagDesign(x, a.Order, a.Order)  // (1, T - p, p)
    let xm = design.Reshape(-1L, int64 a.Order)                      // (T - p, p)
    let cov = Linalg.Inv(xm.T.MatMul(xm)) * fitted.Sigma2            // (p, p)
    let se = flat (cov.Diagonal().Sqrt())
    let m = float (a.Length - a.Order)
    let c = max a.Order a.Phi.Length
    ArFitResult(a, flat x, fitted.Phi, se, fitted.Sigma2,
                (fitted.LogLikelihood(x)).ToDouble(),
                -m / 2.0 * (log (2.0 * Math.PI * fitted.Sigma2) + 1.0),
                (truth.LogLikelihood(x, c)).ToDouble())

/// Runs one study; the experiment's seed is used where the study has none of its own.
let run (seed: uint64) (st: Study) : StudyOutcome =
    match st.Kind with
    | KlAsymmetry k -> klAsymmetry k
    | ReceptiveFields r -> receptiveFields seed r
    | GdaDynamics g -> gdaDynamics g
    | ChangeOfVariables c -> changeOfVariables seed c
    | ArFit a -> arFit seed a
