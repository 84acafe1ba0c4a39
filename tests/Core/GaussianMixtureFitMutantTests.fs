/// GaussianMixtureFitMutantTests.fs: the mixture fits' steps against written-out EM, autograd ascent and SGD on a 12-point set, their starts, restarts, stopping rule and checks.
module GenDsl.Tests.Core.GaussianMixtureFitMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64
let private types = [ CovarianceType.Identity; CovarianceType.Spherical; CovarianceType.Diagonal; CovarianceType.Full ]

// ---- a 12-point 2-D data set and a mixture written out in plain floats ----

let private pts =
    [| (-2.1, 0.3); (-1.7, -0.4); (-2.5, 0.9); (-1.2, 0.1); (0.4, 2.2); (1.1, 2.9)
       (0.8, 1.7); (1.5, 2.4); (2.2, -1.8); (1.9, -2.6); (2.7, -1.1); (0.2, -0.3) |]
let private data () = t64 [ 12L; 2L ] [ for (a, b) in pts do yield! [ a; b ] ]

/// A 2-D mixture: weights, means, covariances (s00, s01, s11).
type private Mix = { W: float[]; Mu: (float * float)[]; Cov: (float * float * float)[] }

let private startMix ct =
    { W = [| 0.3; 0.7 |]
      Mu = [| (-1.0, 0.5); (1.5, 0.5) |]
      Cov =
        match ct with
        | CovarianceType.Identity -> [| (1.0, 0.0, 1.0); (1.0, 0.0, 1.0) |]
        | CovarianceType.Spherical -> [| (1.5, 0.0, 1.5); (0.8, 0.0, 0.8) |]
        | CovarianceType.Diagonal -> [| (1.5, 0.0, 0.6); (0.8, 0.0, 2.0) |]
        | _ -> [| (1.5, 0.4, 0.9); (0.8, -0.3, 2.0) |] }

let private model (m: Mix) ct =
    let k = int64 m.W.Length
    new GaussianMixture(vec (List.ofArray m.W), t64 [ k; 2L ] [ for (a, b) in m.Mu do yield! [ a; b ] ],
                        t64 [ k; 2L; 2L ] [ for (a, b, c) in m.Cov do yield! [ a; b; b; c ] ], ct)

/// log N((x, y); (mx, my), [[a, b], [b, c]]) by the 2x2 inverse and determinant.
let private logN (x, y) (mx, my) (a, b, c) =
    let det = a * c - b * b
    let dx, dy = x - mx, y - my
    -0.5 * (c * dx * dx - 2.0 * b * dx * dy + a * dy * dy) / det - 0.5 * log det - log (2.0 * Math.PI)

let private lse (v: float[]) =
    let m = Array.max v
    m + log (Array.sumBy (fun u -> exp (u - m)) v)

/// E-step by loops: q_ik and (1/n) sum_i log p(x_i).
let private estep (xs: (float * float)[]) (m: Mix) =
    let lj = xs |> Array.map (fun p -> Array.init m.W.Length (fun k -> log m.W.[k] + logN p m.Mu.[k] m.Cov.[k]))
    let q = lj |> Array.map (fun l -> let s = lse l in l |> Array.map (fun v -> exp (v - s)))
    q, (lj |> Array.averageBy lse)

/// The M-step (CSE 599i P4) by loops: pi = n_k / n, mu_k = sum q x / n_k, S_k = sum q (x - mu_k)(x - mu_k)^T / n_k,
/// then per type S_k + reg I (Full), its diagonal (Diagonal), the mean of that diagonal (Spherical), I (Identity).
let private mstep ct reg (fixedW: float[] option) (xs: (float * float)[]) (q: float[][]) =
    let k = q.[0].Length
    let nk = Array.init k (fun j -> q |> Array.sumBy (fun r -> r.[j]))
    let mu = Array.init k (fun j -> (Seq.sum (seq { for i in 0 .. xs.Length - 1 -> q.[i].[j] * fst xs.[i] }) / nk.[j],
                                     Seq.sum (seq { for i in 0 .. xs.Length - 1 -> q.[i].[j] * snd xs.[i] }) / nk.[j]))
    let s j f = Seq.sum (seq { for i in 0 .. xs.Length - 1 -> q.[i].[j] * f (fst xs.[i] - fst mu.[j]) (snd xs.[i] - snd mu.[j]) }) / nk.[j]
    let cov =
        Array.init k (fun j ->
            let s00, s01, s11 = s j (fun a _ -> a * a), s j (fun a b -> a * b), s j (fun _ b -> b * b)
            match ct with
            | CovarianceType.Identity -> (1.0, 0.0, 1.0)
            | CovarianceType.Spherical -> let v = (s00 + s11) / 2.0 + reg in (v, 0.0, v)
            | CovarianceType.Diagonal -> (s00 + reg, 0.0, s11 + reg)
            | _ -> (s00 + reg, s01, s11 + reg))
    { W = (match fixedW with Some w -> w | None -> nk |> Array.map (fun v -> v / float xs.Length)); Mu = mu; Cov = cov }

let private flatMu (m: Mix) = [ for (a, b) in m.Mu do yield! [ a; b ] ]
let private flatCov (m: Mix) = [ for (a, b, c) in m.Cov do yield! [ a; b; b; c ] ]

/// Asserts a fitted model equals a written-out mixture. Values are O(1-10) and both sides are float64 sums of 12 terms
/// in different orders, so rounding (~1e-14) is far inside 1e-10.
let private sameModel (expected: Mix) (actual: GaussianMixture) =
    close 1e-10 expected.W actual.Weights
    close 1e-10 (flatMu expected) actual.Means
    close 1e-10 (flatCov expected) actual.Covariances

let private iterationsOf (r: GmmFitResult) = r.Curve |> Seq.map (fun s -> s.Iteration) |> List.ofSeq

// ---- EM ----

[<Fact>]
let ``EM from a given model: each iteration is the written-out E-step and M-step for every covariance type, with learned and with fixed weights`` () =
    use x = data ()
    for ct in types do
        for learn in [ true; false ] do
            let start = startMix ct
            use m0 = model start ct
            let r = GaussianMixtureFit.Em(x, GmmFitOptions(K = 2, Covariance = ct, LearnWeights = learn, InitialModel = m0, MaxIter = 3, RegCovar = 0.1))
            use _ = r.Model
            let mutable m = start
            for k in 0 .. 3 do
                let q, ll = estep pts m
                closeScalar 1e-10 ll r.Curve.[k].MeanLogLikelihood
                if k < 3 then m <- mstep ct 0.1 (if learn then None else Some start.W) pts q
            sameModel m r.Model
            Assert.Equal<int list>([ 0; 1; 2; 3 ], iterationsOf r)
            Assert.Equal(3, r.Iterations)
            Assert.False(r.Converged)
            Assert.Equal(ct, r.Model.CovarianceType)
            Assert.Equal(not learn, r.Model.FixedWeights)
            // Fit dispatches to the same method
            let viaFit = GaussianMixtureFit.Fit(x, GmmMethod.Em, GmmFitOptions(K = 2, Covariance = ct, LearnWeights = learn, InitialModel = m0, MaxIter = 3, RegCovar = 0.1))
            use _ = viaFit.Model
            closeScalar 0.0 r.Curve.[3].MeanLogLikelihood viaFit.Curve.[3].MeanLogLikelihood

[<Fact>]
let ``EM: log-densities 800 nats apart (beyond exp's range) still give the written-out log-likelihood (the E-step shifts by the row maximum)`` () =
    // Points within 0.5 of 0 and of 40 with unit variances: the far component's log-density is about -800 nats below the
    // near one, so exp(l - min_k l) overflows (e^799) and only the max-shift keeps q and log p finite.
    let xs1 = [| 0.0; 0.5; -0.5; 40.0; 40.5; 39.5 |]
    use x = t64 [ 6L; 1L ] (List.ofArray xs1)
    for ct in [ CovarianceType.Identity; CovarianceType.Full ] do
        use m0 = new GaussianMixture(vec [ 0.5; 0.5 ], t64 [ 2L; 1L ] [ 0.0; 40.0 ], t64 [ 2L; 1L; 1L ] [ 1.0; 1.0 ], ct)
        let r = GaussianMixtureFit.Em(x, GmmFitOptions(K = 2, Covariance = ct, InitialModel = m0, MaxIter = 1, RegCovar = 0.0))
        use _ = r.Model
        let ll = xs1 |> Array.averageBy (fun v -> lse [| log 0.5 - 0.5 * v * v; log 0.5 - 0.5 * (v - 40.0) ** 2.0 |] - 0.5 * log (2.0 * Math.PI))
        closeScalar 1e-12 ll r.Curve.[0].MeanLogLikelihood
        // one M-step: each component takes its three points exactly (q = 1 to within e^-700)
        close 1e-12 [ 0.0; 40.0 ] r.Model.Means

// ---- the standalone M-step ----

[<Fact>]
let ``MStep: a component without responsibility keeps the weight 10 eps / n, mean 0 and covariance RegCovar I (sklearn's floor on n_k)`` () =
    // x = four points, all responsibility on component 0. n_1 = 0 + 10 eps, so pi_1 = 10 eps / 4 = 5.55e-16 (the model
    // renormalises by 1 + 5.6e-16: invisible at the 1e-22 tolerance here), mu_1 = 0 / n_1 = 0, Sigma_1 = 0 + 0.5 I.
    use x = t64 [ 4L; 2L ] [ 1.0; 2.0; 3.0; 0.0; -1.0; 1.0; 1.0; -3.0 ]
    use q = t64 [ 4L; 2L ] [ 1.0; 0.0; 1.0; 0.0; 1.0; 0.0; 1.0; 0.0 ]
    let eps = 2.220446049250313e-16
    // component 0: mean (1, 0); biased covariance [[2, -0.5], [-0.5, 3.5]] by hand
    let expectedCov = function
        | CovarianceType.Full -> [ 2.5; -0.5; -0.5; 4.0; 0.5; 0.0; 0.0; 0.5 ]
        | CovarianceType.Diagonal -> [ 2.5; 0.0; 0.0; 4.0; 0.5; 0.0; 0.0; 0.5 ]
        | CovarianceType.Spherical -> [ 3.25; 0.0; 0.0; 3.25; 0.5; 0.0; 0.0; 0.5 ]
        | _ -> [ 1.0; 0.0; 0.0; 1.0; 1.0; 0.0; 0.0; 1.0 ]
    for ct in types do
        use m = GaussianMixtureFit.MStep(x, q, ct, 0.5)
        close 1e-22 [ 10.0 * eps / 4.0 ] (m.Weights.Narrow(0L, 1L, 1L))
        close 1e-14 [ 1.0; 0.0; 0.0; 0.0 ] m.Means
        close 1e-13 (expectedCov ct) m.Covariances
        Assert.False(m.FixedWeights)

[<Fact>]
let ``MStep: fixed weights are kept and marked fixed; shapes, a negative or NaN RegCovar and null arguments are refused with their messages`` () =
    use x = data ()
    use m0 = model (startMix CovarianceType.Full) CovarianceType.Full
    use q = m0.Responsibilities(x)
    use w = vec [ 0.25; 0.75 ]
    use fixedW = GaussianMixtureFit.MStep(x, q, CovarianceType.Diagonal, 0.0, w)
    Assert.True(fixedW.FixedWeights)
    close 0.0 [ 0.25; 0.75 ] fixedW.Weights
    // the means do not depend on the weights: the same as the learned-weights M-step's
    use learned = GaussianMixtureFit.MStep(x, q, CovarianceType.Diagonal, 0.0)
    close 1e-14 (vals learned.Means) fixedW.Means
    let nul = Unchecked.defaultof<Tensor>
    Assert.Throws<ArgumentNullException>(fun () -> GaussianMixtureFit.MStep(nul, q) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> GaussianMixtureFit.MStep(x, nul) |> ignore) |> ignore
    use x3 = x.Narrow(0L, 0L, 3L)
    use q4 = q.Narrow(0L, 0L, 4L)
    throws<ArgumentException> "x must be (N, D) and responsibilities (N, K); got [3, 2] and [4, 2]" (fun () -> box (GaussianMixtureFit.MStep(x3, q4)))
    use q3 = q.Narrow(0L, 0L, 3L)
    use flat = vec [ 1.0; 2.0; 3.0 ]
    throws<ArgumentException> "got [3] and [3, 2]" (fun () -> box (GaussianMixtureFit.MStep(flat, q3)))
    use q1 = vec [ 1.0; 1.0; 1.0 ]
    throws<ArgumentException> "got [3, 2] and [3]" (fun () -> box (GaussianMixtureFit.MStep(x3, q1)))
    throws<ArgumentException> "regCovar must be >= 0 (got -1)" (fun () -> box (GaussianMixtureFit.MStep(x, q, CovarianceType.Full, -1.0)))
    throws<ArgumentException> "regCovar must be >= 0 (got NaN)" (fun () -> box (GaussianMixtureFit.MStep(x, q, CovarianceType.Full, Double.NaN)))

// ---- restarts, the curve and the stopping rule ----

[<Fact>]
let ``NInit restarts from fresh random starts and keeps the best final log-likelihood; a given InitialModel runs once except under SGD`` () =
    use x = data ()
    let seen = Collections.Generic.List<GmmStep>()
    let r = GaussianMixtureFit.Em(x, GmmFitOptions(K = 3, NInit = 3, MaxIter = 2, Seed = 5UL), (fun s -> seen.Add s))
    use _ = r.Model
    Assert.Equal<int list>([ 0; 1; 2; 0; 1; 2; 0; 1; 2 ], seen |> Seq.map (fun s -> s.Iteration) |> List.ofSeq)
    let finals = [ for i in [ 2; 5; 8 ] -> seen.[i].MeanLogLikelihood ]
    Assert.True((List.distinct finals).Length >= 2, sprintf "the restarts should differ: %A" finals)  // else the test could not fail
    closeScalar 0.0 (List.max finals) r.Curve.[2].MeanLogLikelihood
    closeScalar 1e-10 (List.max finals) (r.Model.MeanLogLikelihood x)
    // from a given model: EM and gradient ascent are deterministic, so one run; SGD still restarts (new batches)
    use m0 = model (startMix CovarianceType.Identity) CovarianceType.Identity
    let count meth =
        let n = ref 0
        let rr = GaussianMixtureFit.Fit(x, meth, GmmFitOptions(K = 2, NInit = 3, MaxIter = 2, InitialModel = m0, LearningRate = 0.1), (fun _ -> n.Value <- n.Value + 1))
        rr.Model.Dispose()
        n.Value
    Assert.Equal(3, count GmmMethod.Em)
    Assert.Equal(3, count GmmMethod.GradientAscent)
    Assert.Equal(9, count GmmMethod.Sgd)

/// A fit's curve without Tol, then the same fit with Tol just above (stops), at (does not stop: "less than") and just
/// below the first change |l_1 - l_0| (the change is |l_1 - l_0|, not |l_1 + l_0|: the data's l are near -3.5).
let private tolRule (fit: float -> GmmFitResult) (firstPoint: int) =
    let free = fit 0.0
    free.Model.Dispose()
    Assert.False(free.Converged)
    let change = abs (free.Curve.[1].MeanLogLikelihood - free.Curve.[0].MeanLogLikelihood)
    Assert.True(change > 1e-6 && change < 0.5 * abs (free.Curve.[1].MeanLogLikelihood + free.Curve.[0].MeanLogLikelihood))
    let stopped = fit (change * 1.01)
    Assert.True(stopped.Converged)
    Assert.Equal<int list>([ 0; firstPoint ], iterationsOf stopped)
    Assert.Equal(firstPoint, stopped.Iterations)
    closeScalar 0.0 free.Curve.[1].MeanLogLikelihood stopped.Curve.[1].MeanLogLikelihood
    for tol in [ change; change * 0.99 ] do
        let goes = fit tol
        goes.Model.Dispose()
        Assert.True(goes.Curve.Count > 2, sprintf "Tol %g stopped it at %A" tol (iterationsOf goes))
    stopped

[<Fact>]
let ``Tol stops EM, gradient ascent and SGD at the first evaluation whose change is strictly below it`` () =
    use x = data ()
    use m0 = model (startMix CovarianceType.Diagonal) CovarianceType.Diagonal
    let o tol = GmmFitOptions(K = 2, Covariance = CovarianceType.Diagonal, InitialModel = m0, MaxIter = 4, Tol = tol, LearningRate = 0.2, BatchSize = 4, EvalEvery = 2)
    let em = tolRule (fun tol -> GaussianMixtureFit.Em(x, o tol)) 1
    use _ = em.Model
    // EM's returned model is the one after the M-step that produced point 1
    closeScalar 1e-10 em.Curve.[1].MeanLogLikelihood (em.Model.MeanLogLikelihood x)
    // gradient ascent stops before stepping again: the model is the one point 1 was evaluated at
    let ga = tolRule (fun tol -> GaussianMixtureFit.GradientAscent(x, o tol)) 1
    use _ = ga.Model
    closeScalar 1e-10 ga.Curve.[1].MeanLogLikelihood (ga.Model.MeanLogLikelihood x)
    // SGD evaluates every EvalEvery = 2 steps: it stops after step 2
    let sgd = tolRule (fun tol -> GaussianMixtureFit.Sgd(x, o tol)) 2
    use _ = sgd.Model
    closeScalar 1e-10 sgd.Curve.[1].MeanLogLikelihood (sgd.Model.MeanLogLikelihood x)
    // onStep sees exactly the curve
    let seen = Collections.Generic.List<GmmStep>()
    let r = GaussianMixtureFit.Em(x, o 0.0, (fun s -> seen.Add s))
    use _ = r.Model
    Assert.Equal<GmmStep seq>(r.Curve, seen)

[<Fact>]
let ``a non-finite log-likelihood stops the fit with InvalidOperationException naming the remedy: RegCovar for EM, LearningRate for the gradient fits`` () =
    // Three equal points, K = 1, spherical, RegCovar = 0: the start's variance is exactly 0, so |x - mu|^2 / v = 0 / 0.
    use same = t64 [ 3L; 1L ] [ 1.0; 1.0; 1.0 ]
    let e = Assert.Throws<InvalidOperationException>(fun () -> GaussianMixtureFit.Em(same, GmmFitOptions(K = 1, Covariance = CovarianceType.Spherical, RegCovar = 0.0)) |> ignore)
    Assert.Contains("EM: the mean log-likelihood became NaN at iteration 0; raise GmmFitOptions.RegCovar (now 0)", e.Message)
    // lr = 1e200 throws the means to ~1e200, where |x - mu|^2 overflows: l = -inf after the first step
    use x = data ()
    for meth, name in [ GmmMethod.GradientAscent, "GradientAscent"; GmmMethod.Sgd, "Sgd" ] do
        let e = Assert.Throws<InvalidOperationException>(fun () -> GaussianMixtureFit.Fit(x, meth, GmmFitOptions(K = 2, MaxIter = 3, LearningRate = 1e200, BatchSize = 12)) |> ignore)
        Assert.Contains(name + ": the mean log-likelihood became ", e.Message)
        Assert.Contains(" at iteration 1; lower GmmFitOptions.LearningRate (now 1E+200)", e.Message)

// ---- gradient ascent and SGD against autograd on the documented parametrisation ----

/// The unconstrained leaves of a start (GaussianMixtureGrad's parametrisation): means; logits = log w; raw = log(v - reg)
/// (spherical, diagonal) or A with A00 = log L00, A10 = L10, A11 = log L11 for L = chol(Sigma - reg I) (full).
let private leaves ct reg (m: Mix) =
    let mu = (t64 [ 2L; 2L ] (flatMu m)).RequiresGrad_()
    let logits = (vec [ for w in m.W -> log w ]).RequiresGrad_()
    let raw =
        match ct with
        | CovarianceType.Identity -> None
        | CovarianceType.Spherical -> Some(vec [ for (a, _, _) in m.Cov -> log (a - reg) ])
        | CovarianceType.Diagonal -> Some(t64 [ 2L; 2L ] [ for (a, _, c) in m.Cov do yield! [ log (a - reg); log (c - reg) ] ])
        | _ ->
            Some(t64 [ 2L; 2L; 2L ] [ for (a, b, c) in m.Cov do
                                         let l00 = sqrt (a - reg)
                                         let l10 = b / l00
                                         yield! [ log l00; 0.0; l10; log (sqrt (c - reg - l10 * l10)) ] ])
    mu, logits, raw |> Option.map (fun t -> t.RequiresGrad_())

/// The covariance entries (s00, s01, s11), each (K), from raw: exp(raw) + reg, or L L^T + reg I with
/// L = [[exp A00, 0], [A10, exp A11]] multiplied out.
let private covOf ct reg (raw: Tensor option) =
    match ct, raw with
    | CovarianceType.Identity, _ -> Torch.Ones([| 2L |], f64), Torch.Zeros([| 2L |], f64), Torch.Ones([| 2L |], f64)
    | CovarianceType.Spherical, Some r -> let v = r.Exp() + reg in v, Torch.Zeros([| 2L |], f64), v
    | CovarianceType.Diagonal, Some r -> r.Select(1L, 0L).Exp() + reg, Torch.Zeros([| 2L |], f64), r.Select(1L, 1L).Exp() + reg
    | _, Some r ->
        let a00, a10, a11 = r.Select(1L, 0L).Select(1L, 0L), r.Select(1L, 1L).Select(1L, 0L), r.Select(1L, 1L).Select(1L, 1L)
        (a00 * 2.0).Exp() + reg, a00.Exp() * a10, a10.Square() + (a11 * 2.0).Exp() + reg
    | _ -> failwith "raw missing"

/// (1/B) sum_i log sum_k w_k N(x_i; mu_k, Sigma_k) over the rows of x (B, 2), by the 2x2 closed forms, differentiable.
let private meanLl ct reg (x: Tensor) (mu: Tensor) (logW: Tensor) (raw: Tensor option) =
    let a, b, c = covOf ct reg raw                                                   // each (K)
    let dx = x.Select(1L, 0L).Unsqueeze(1L) - mu.Select(1L, 0L)                      // (B, K)
    let dy = x.Select(1L, 1L).Unsqueeze(1L) - mu.Select(1L, 1L)                      // (B, K)
    let det = a * c - b * b                                                          // (K)
    let quad = (c * dx.Square() - b * dx * dy * 2.0 + a * dy.Square()) / det         // (B, K)
    (quad * -0.5 - det.Log() * 0.5 - log (2.0 * Math.PI) + logW).LogSumExp(1L).Mean()

/// Plain gradient ascent theta += lr grad l(theta) by autograd, one batch per step; returns the full-data l before the
/// first and after every step, and the final (weights, means, covariances).
let private ascend ct reg learn (lr: float) (m: Mix) (x: Tensor) (batches: Tensor list) =
    let mu, logits, raw = leaves ct reg m
    use w0 = vec [ for w in m.W -> log w ]
    let logW () = if learn then logits.LogSoftmax(0L) else w0
    let full () = using (Autograd.NoGrad()) (fun _ -> (meanLl ct reg x mu (logW ()) raw).ToDouble())
    let curve = Collections.Generic.List<float>([ full () ])
    for batch in batches do
        use s = Scope.Begin()
        let ps = [ mu ] @ (if learn then [ logits ] else []) @ Option.toList raw
        let grads = Autograd.Grad([| meanLl ct reg batch mu (logW ()) raw |], List.toArray ps)
        using (Autograd.NoGrad()) (fun _ -> for p, g in List.zip ps (List.ofArray grads) do p.Add_(g * lr) |> ignore)
        curve.Add(full ())
    use _ = Autograd.NoGrad()
    let a, b, c = covOf ct reg raw
    let cov = Torch.Stack([| a; b; b; c |], 1L).Reshape(2L, 2L, 2L)                  // (K, 2, 2)
    List.ofSeq curve, vals (logW().Exp()), vals mu, vals cov

[<Fact>]
let ``gradient ascent: each step is theta + lr grad l on the documented parametrisation (autograd on the 2x2 closed forms), for every type, learned and fixed weights`` () =
    // RegCovar 0.1 so that a lost or doubled reg shows; two steps of lr 0.5; both sides are float64 autograd of the same
    // function written differently, so they agree to rounding (1e-10 on values of size 1-10).
    use x = data ()
    for ct in types do
        for learn in [ true; false ] do
            let start = startMix ct
            use m0 = model start ct
            let r = GaussianMixtureFit.GradientAscent(x, GmmFitOptions(K = 2, Covariance = ct, LearnWeights = learn, InitialModel = m0, MaxIter = 2, RegCovar = 0.1, LearningRate = 0.5))
            use _ = r.Model
            let curve, w, mu, cov = ascend ct 0.1 learn 0.5 start x [ x; x ]
            close 1e-10 curve (vec [ for s in r.Curve -> s.MeanLogLikelihood ])
            Assert.Equal<int list>([ 0; 1; 2 ], iterationsOf r)
            Assert.Equal(2, r.Iterations)
            close 1e-10 w r.Model.Weights
            close 1e-10 mu r.Model.Means
            close 1e-10 cov r.Model.Covariances
            Assert.Equal(not learn, r.Model.FixedWeights)

[<Fact>]
let ``SGD: step t ascends the mean log-likelihood of the t-th pre-drawn batch x[randint(0, N, (T, B))] from the fit's generator`` () =
    // The batch indices are drawn up front from Generator(Seed) (a given InitialModel draws nothing before them), so the
    // same draw here gives the same batches; the steps are then checked as in the gradient-ascent test (1e-10).
    use x = data ()
    for ct in [ CovarianceType.Identity; CovarianceType.Full ] do
        let start = startMix ct
        use m0 = model start ct
        let r = GaussianMixtureFit.Sgd(x, GmmFitOptions(K = 2, Covariance = ct, InitialModel = m0, MaxIter = 3, RegCovar = 0.1, LearningRate = 0.5, BatchSize = 3, Seed = 9UL))
        use _ = r.Model
        use g = new Generator(9UL)
        use idx = Torch.RandInt(0L, 12L, [| 3L; 3L |], g)
        let batches = [ for t in 0L .. 2L -> x.IndexSelect(0L, idx.Select(0L, t)) ]
        let curve, w, mu, cov = ascend ct 0.1 true 0.5 start x batches
        close 1e-10 curve (vec [ for s in r.Curve -> s.MeanLogLikelihood ])
        Assert.Equal<int list>([ 0; 1; 2; 3 ], iterationsOf r)
        close 1e-10 w r.Model.Weights
        close 1e-10 mu r.Model.Means
        close 1e-10 cov r.Model.Covariances

[<Fact>]
let ``MaxIter = 0: every method returns the start and a one-point curve`` () =
    use x = data ()
    for ct in types do
        let start = startMix ct
        use m0 = model start ct
        for meth in [ GmmMethod.Em; GmmMethod.GradientAscent; GmmMethod.Sgd ] do
            let r = GaussianMixtureFit.Fit(x, meth, GmmFitOptions(K = 2, Covariance = ct, InitialModel = m0, MaxIter = 0, RegCovar = 0.1))
            use _ = r.Model
            Assert.Equal<int list>([ 0 ], iterationsOf r)
            Assert.Equal(0, r.Iterations)
            closeScalar 1e-10 (snd (estep pts start)) r.Curve.[0].MeanLogLikelihood
            sameModel start r.Model

// ---- the starts ----

[<Fact>]
let ``the default start: weights 1/K, K distinct data rows as means, every covariance the data's (biased) covariance projected on the type plus RegCovar`` () =
    use x = data ()
    let mx, my = Array.averageBy fst pts, Array.averageBy snd pts
    let s00 = pts |> Array.averageBy (fun (a, _) -> (a - mx) ** 2.0)
    let s01 = pts |> Array.averageBy (fun (a, b) -> (a - mx) * (b - my))
    let s11 = pts |> Array.averageBy (fun (_, b) -> (b - my) ** 2.0)
    for ct in types do
        let r = GaussianMixtureFit.Em(x, GmmFitOptions(K = 3, Covariance = ct, MaxIter = 0, RegCovar = 0.25, Seed = 3UL))
        use m = r.Model
        close 1e-15 [ 1.0 / 3.0; 1.0 / 3.0; 1.0 / 3.0 ] m.Weights
        let cov =
            match ct with
            | CovarianceType.Identity -> (1.0, 0.0, 1.0)
            | CovarianceType.Spherical -> let v = (s00 + s11) / 2.0 + 0.25 in (v, 0.0, v)
            | CovarianceType.Diagonal -> (s00 + 0.25, 0.0, s11 + 0.25)
            | _ -> (s00 + 0.25, s01, s11 + 0.25)
        close 1e-12 (List.concat (List.replicate 3 (let a, b, c = cov in [ a; b; b; c ]))) m.Covariances
        let means = vals m.Means |> Array.chunkBySize 2 |> Array.map (fun r -> (r.[0], r.[1]))
        Assert.True(means |> Array.forall (fun p -> Array.contains p pts), sprintf "%A" means)
        Assert.Equal(3, (Array.distinct means).Length)
        // curve point 0 is the log-likelihood of this start, weights 1/K included
        let start = { W = Array.create 3 (1.0 / 3.0); Mu = means; Cov = Array.create 3 cov }
        closeScalar 1e-10 (snd (estep pts start)) r.Curve.[0].MeanLogLikelihood

/// Three tight clusters of 10 points at (10, 0), (-10, 0) and (0, 10) (offsets below 0.01).
let private clusters () =
    let centres = [| (10.0, 0.0); (-10.0, 0.0); (0.0, 10.0) |]
    let ps = [| for c in 0 .. 2 do for i in 0 .. 9 -> (fst centres.[c] + 0.01 * sin (float (7 * i + c)), snd centres.[c] + 0.01 * cos (float (5 * i + c))) |]
    t64 [ 30L; 2L ] [ for (a, b) in ps do yield! [ a; b ] ]

let private clusterOf (x: float) (y: float) = if x > 5.0 then 0 elif x < -5.0 then 1 else 2

[<Fact>]
let ``k-means++ seeding puts one mean in each of three far-apart clusters for every seed; random data points do not`` () =
    // With centres 10-14 apart and clusters 0.01 wide, k-means++ picks a point of an already-covered cluster with
    // probability about 1e-6 per draw; K random distinct points land in three different clusters with probability
    // (20 / 29) (10 / 28) = 0.25 per seed, so among 10 seeds some repeat a cluster (the draws are fixed by the seeds).
    use x = clusters ()
    let clustersHit init seed =
        let r = GaussianMixtureFit.Em(x, GmmFitOptions(K = 3, Init = init, MaxIter = 0, Seed = seed))
        use m = r.Model
        vals m.Means |> Array.chunkBySize 2 |> Array.map (fun p -> clusterOf p.[0] p.[1]) |> Array.distinct |> Array.length
    for seed in 0UL .. 9UL do
        Assert.Equal(3, clustersHit GmmInit.KMeansPlusPlus seed)
    Assert.Contains(true, [ for seed in 0UL .. 9UL -> clustersHit GmmInit.Random seed < 3 ])
    // all points equal: the squared distances are all 0 and k-means++ falls back to uniform draws (no error)
    use same = t64 [ 4L; 2L ] [ for _ in 1 .. 4 do yield! [ 2.0; -1.0 ] ]
    let r = GaussianMixtureFit.Em(same, GmmFitOptions(K = 3, Init = GmmInit.KMeansPlusPlus, MaxIter = 0))
    use _ = r.Model
    close 0.0 [ for _ in 1 .. 3 do yield! [ 2.0; -1.0 ] ] r.Model.Means

[<Fact>]
let ``a given model starts the fit with its covariances projected on the type and its weights renormalised exactly`` () =
    use x = data ()
    // weights summing to 1 + 9e-7 (inside the mixture's 1e-6 tolerance); diagonal covariances diag(1, 3) and diag(2, 2)
    use m0 = new GaussianMixture(vec [ 0.5; 0.5 + 9e-7 ], t64 [ 2L; 2L ] [ 0.0; 0.0; 1.0; 1.0 ], t64 [ 2L; 2L; 2L ] [ 1.0; 0.0; 0.0; 3.0; 2.0; 0.0; 0.0; 2.0 ], CovarianceType.Diagonal)
    let start ct = GaussianMixtureFit.Em(x, GmmFitOptions(K = 2, Covariance = ct, InitialModel = m0, LearnWeights = false, MaxIter = 0))
    let s = 1.0 + 9e-7
    for ct, cov in [ CovarianceType.Spherical, [ 2.0; 0.0; 0.0; 2.0; 2.0; 0.0; 0.0; 2.0 ]
                     CovarianceType.Diagonal, [ 1.0; 0.0; 0.0; 3.0; 2.0; 0.0; 0.0; 2.0 ]
                     CovarianceType.Full, [ 1.0; 0.0; 0.0; 3.0; 2.0; 0.0; 0.0; 2.0 ]
                     CovarianceType.Identity, [ 1.0; 0.0; 0.0; 1.0; 1.0; 0.0; 0.0; 1.0 ] ] do
        let r = start ct
        use m = r.Model
        close 1e-15 [ 0.5 / s; (0.5 + 9e-7) / s ] m.Weights
        close 1e-14 cov m.Covariances

[<Fact>]
let ``a singular data covariance with RegCovar = 0 fails the full-covariance start with InvalidOperationException naming RegCovar`` () =
    // the second coordinate is constant: the (biased) covariance [[v, 0], [0, 0]] has no Cholesky factor
    use x = t64 [ 4L; 2L ] [ 0.0; 1.0; 1.0; 1.0; 2.0; 1.0; 4.0; 1.0 ]
    let e = Assert.Throws<InvalidOperationException>(fun () -> GaussianMixtureFit.Em(x, GmmFitOptions(K = 2, Covariance = CovarianceType.Full, RegCovar = 0.0)) |> ignore)
    Assert.Contains("a covariance matrix is not positive definite (", e.Message)
    Assert.Contains("raise GmmFitOptions.RegCovar (e.g. 1e-3), use fewer components, or a simpler covariance type", e.Message)

// ---- the options ----

[<Fact>]
let ``GmmFitOptions: the defaults are CSE 599i P7's and sklearn's; every bad option is refused with a message naming it and its range`` () =
    let d = GmmFitOptions()
    Assert.True(d.LearnWeights)
    Assert.Equal((3, CovarianceType.Identity, GmmInit.Random, 1, 10, 1, 1), (d.K, d.Covariance, d.Init, d.NInit, d.MaxIter, d.BatchSize, d.EvalEvery))
    Assert.Equal((0.0, 1e-6, 1.0, 0UL), (d.Tol, d.RegCovar, d.LearningRate, d.Seed))
    use x = data ()
    let em o = fun () -> box (GaussianMixtureFit.Em(x, o))
    throws<ArgumentException> "GmmFitOptions.K: the number of components must be at least 1 (got 0)" (em (GmmFitOptions(K = 0)))
    throws<ArgumentException> "GmmFitOptions.MaxIter: must be >= 0 (got -1)" (em (GmmFitOptions(MaxIter = -1)))
    throws<ArgumentException> "GmmFitOptions.NInit: the number of initialisations must be at least 1 (got 0)" (em (GmmFitOptions(NInit = 0)))
    for tol in [ -1.0; nan; infinity ] do
        throws<ArgumentException> "GmmFitOptions.Tol: must be finite and >= 0; 0 means never stop early (got" (em (GmmFitOptions(Tol = tol)))
    for reg in [ -1.0; nan; infinity ] do
        throws<ArgumentException> "GmmFitOptions.RegCovar: must be finite and >= 0 (got" (em (GmmFitOptions(RegCovar = reg)))
    for lr in [ 0.0; nan; infinity ] do
        throws<ArgumentException> "GmmFitOptions.LearningRate: the step size must be finite and > 0 (got" (em (GmmFitOptions(LearningRate = lr)))
    throws<ArgumentException> "GmmFitOptions.BatchSize: the SGD mini-batch size must be at least 1 (got 0)" (em (GmmFitOptions(BatchSize = 0)))
    throws<ArgumentException> "GmmFitOptions.EvalEvery: must be at least 1 (got 0)" (em (GmmFitOptions(EvalEvery = 0)))
    throws<ArgumentException> "GmmFitOptions.Covariance: unknown covariance type 9" (em (GmmFitOptions(Covariance = enum<CovarianceType> 9)))
    throws<ArgumentException> "GmmFitOptions.Init: unknown initialisation 7" (em (GmmFitOptions(Init = enum<GmmInit> 7)))
    throws<ArgumentException> "unknown fit method 7" (fun () -> box (GaussianMixtureFit.Fit(x, enum<GmmMethod> 7, GmmFitOptions())))
    let validate meth = fun () -> (GmmOptionChecks.Validate(x, meth, GmmFitOptions()); box ())
    throws<ArgumentException> "unknown fit method 7" (validate (enum<GmmMethod> 7))
    let nul = Unchecked.defaultof<Tensor>
    Assert.Throws<ArgumentNullException>(fun () -> GaussianMixtureFit.Em(nul, GmmFitOptions()) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> GaussianMixtureFit.Em(x, Unchecked.defaultof<GmmFitOptions>) |> ignore) |> ignore

[<Fact>]
let ``GmmFitOptions: the data must be a finite non-empty (N, D) matrix with N >= K, and a given model must match K and D`` () =
    use x = data ()
    let em (x: Tensor) o = fun () -> box (GaussianMixtureFit.Em(x, o))
    throws<ArgumentException> "the data must be a non-empty (N, D) matrix; got shape [24]" (em (x.Reshape(-1L)) (GmmFitOptions(K = 1)))
    throws<ArgumentException> "the data must be a non-empty (N, D) matrix; got shape [0, 2]" (em (x.Narrow(0L, 0L, 0L)) (GmmFitOptions(K = 1)))
    throws<ArgumentException> "the data must be a non-empty (N, D) matrix; got shape [12, 0]" (em (x.Narrow(1L, 0L, 0L)) (GmmFitOptions(K = 1)))
    throws<ArgumentException> "the data has N = 2 points but GmmFitOptions.K = 3: N must be at least K (use fewer components or more data)" (em (x.Narrow(0L, 0L, 2L)) (GmmFitOptions(K = 3)))
    for bad in [ nan; infinity ] do
        use y = x.Clone()
        y.Select(0L, 5L).Select(0L, 1L).Fill_(bad) |> ignore
        throws<ArgumentException> "the data contains NaN or infinite values" (em y (GmmFitOptions(K = 1)))
    use m3 = new GaussianMixture(vec [ 0.5; 0.5 ], t64 [ 2L; 3L ] [ 0.0; 0.0; 0.0; 1.0; 1.0; 1.0 ])
    throws<ArgumentException> "GmmFitOptions.InitialModel: the model has K = 2, D = 3 but the fit needs K = 2 (options) and D = 2 (data)" (em x (GmmFitOptions(K = 2, InitialModel = m3)))
    use m1 = new GaussianMixture(vec [ 1.0 ], t64 [ 1L; 2L ] [ 0.0; 0.0 ])
    throws<ArgumentException> "the model has K = 1, D = 2 but the fit needs K = 2 (options)" (em x (GmmFitOptions(K = 2, InitialModel = m1)))
    // the edges that are allowed: N = K, K = 1, D = 1, one point, MaxIter = 0, RegCovar = 0
    for y, o in [ x.Narrow(0L, 0L, 3L), GmmFitOptions(K = 3)
                  x.Narrow(1L, 0L, 1L), GmmFitOptions(K = 1, RegCovar = 0.0)
                  x.Narrow(0L, 0L, 1L), GmmFitOptions(K = 1, MaxIter = 0) ] do
        let r = GaussianMixtureFit.Em(y, o)
        r.Model.Dispose()
        Assert.True(Double.IsFinite r.Curve.[r.Curve.Count - 1].MeanLogLikelihood)
