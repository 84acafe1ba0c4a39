/// GaussianMixtureFitMutantTests.fs: the mixture fits' steps against written-out EM, autograd ascent and SGD on a 12-point set, their restarts, stopping rule and failure messages.
module GenDsl.Tests.Core.GaussianMixtureFitMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support
open GenDsl.Tests.Core.GaussianMixtureFitFixture

// ---- EM ----

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

/// Eight 3-D points: the spherical E-step's -(D/2) log v_k term is written with D, and D = 2 (every other test here) is the
/// one dimension where multiplying and dividing by -D/2 agree.
let private pts3 =
    [| [| -1.2; 0.4; 0.9 |]; [| -0.7; -0.3; 1.6 |]; [| -1.9; 0.1; 0.2 |]; [| 0.8; 1.3; -0.6 |]
       [| 1.4; 0.6; -1.1 |]; [| 0.3; 1.9; 0.1 |]; [| 1.1; 1.0; -0.2 |]; [| -0.2; -0.8; 0.5 |] |]

let ``EM with spherical covariances in 3-D: each iteration is the written-out E-step and M-step (log N = -|x - mu|^2 / 2v - (3/2) log 2 pi v)`` () =
    use x = t64 [ 8L; 3L ] [ for p in pts3 do yield! p ]
    let sq (a: float[]) (b: float[]) = Array.fold2 (fun acc u v -> acc + (u - v) * (u - v)) 0.0 a b
    let logN (p: float[]) (mu: float[]) v = -0.5 * sq p mu / v - 1.5 * log (2.0 * Math.PI * v)
    let mutable w = [| 0.4; 0.6 |]
    let mutable mu = [| [| -1.0; 0.0; 1.0 |]; [| 1.0; 1.0; -0.5 |] |]
    let mutable var = [| 1.3; 0.7 |]
    use m0 = new GaussianMixture(vec (List.ofArray w), t64 [ 2L; 3L ] [ for m in mu do yield! m ],
                                 t64 [ 2L; 3L; 3L ] [ for v in var do for i in 0 .. 2 do for j in 0 .. 2 -> if i = j then v else 0.0 ],
                                 CovarianceType.Spherical)
    let r = GaussianMixtureFit.Em(x, GmmFitOptions(K = 2, Covariance = CovarianceType.Spherical, InitialModel = m0, MaxIter = 2, RegCovar = 0.05))
    use _ = r.Model
    for it in 0 .. 2 do
        let lj = pts3 |> Array.map (fun p -> Array.init 2 (fun k -> log w.[k] + logN p mu.[k] var.[k]))
        // values O(1-10), float64 sums of 8 terms in different orders: rounding ~1e-14, far inside 1e-10
        closeScalar 1e-10 (lj |> Array.averageBy lse) r.Curve.[it].MeanLogLikelihood
        if it < 2 then
            let q = lj |> Array.map (fun l -> let s = lse l in l |> Array.map (fun v -> exp (v - s)))
            let nk = Array.init 2 (fun k -> q |> Array.sumBy (fun r -> r.[k]))
            let mu' = Array.init 2 (fun k -> Array.init 3 (fun d -> Seq.sum (seq { for i in 0 .. 7 -> q.[i].[k] * pts3.[i].[d] }) / nk.[k]))
            var <- Array.init 2 (fun k -> Seq.sum (seq { for i in 0 .. 7 -> q.[i].[k] * sq pts3.[i] mu'.[k] }) / (3.0 * nk.[k]) + 0.05)
            mu <- mu'
            w <- nk |> Array.map (fun v -> v / 8.0)
    close 1e-10 (List.ofArray w) r.Model.Weights
    close 1e-10 [ for m in mu do yield! m ] r.Model.Means
    close 1e-10 [ for v in var do for i in 0 .. 2 do for j in 0 .. 2 -> if i = j then v else 0.0 ] r.Model.Covariances

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

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.GaussianMixtureFitMutantTests" [
        Expecto.Tests.testCase "EM from a given model: each iteration is the written-out E-step and M-step for every covariance type, with learned and with fixed weights" ``EM from a given model: each iteration is the written-out E-step and M-step for every covariance type, with learned and with fixed weights``
        Expecto.Tests.testCase "EM with spherical covariances in 3-D: each iteration is the written-out E-step and M-step (log N = -|x - mu|^2 / 2v - (3/2) log 2 pi v)" ``EM with spherical covariances in 3-D: each iteration is the written-out E-step and M-step (log N = -|x - mu|^2 / 2v - (3/2) log 2 pi v)``
        Expecto.Tests.testCase "EM: log-densities 800 nats apart (beyond exp's range) still give the written-out log-likelihood (the E-step shifts by the row maximum)" ``EM: log-densities 800 nats apart (beyond exp's range) still give the written-out log-likelihood (the E-step shifts by the row maximum)``
        Expecto.Tests.testCase "MStep: a component without responsibility keeps the weight 10 eps / n, mean 0 and covariance RegCovar I (sklearn's floor on n_k)" ``MStep: a component without responsibility keeps the weight 10 eps / n, mean 0 and covariance RegCovar I (sklearn's floor on n_k)``
        Expecto.Tests.testCase "MStep: fixed weights are kept and marked fixed; shapes, a negative or NaN RegCovar and null arguments are refused with their messages" ``MStep: fixed weights are kept and marked fixed; shapes, a negative or NaN RegCovar and null arguments are refused with their messages``
        Expecto.Tests.testCase "NInit restarts from fresh random starts and keeps the best final log-likelihood; a given InitialModel runs once except under SGD" ``NInit restarts from fresh random starts and keeps the best final log-likelihood; a given InitialModel runs once except under SGD``
        Expecto.Tests.testCase "Tol stops EM, gradient ascent and SGD at the first evaluation whose change is strictly below it" ``Tol stops EM, gradient ascent and SGD at the first evaluation whose change is strictly below it``
        Expecto.Tests.testCase "a non-finite log-likelihood stops the fit with InvalidOperationException naming the remedy: RegCovar for EM, LearningRate for the gradient fits" ``a non-finite log-likelihood stops the fit with InvalidOperationException naming the remedy: RegCovar for EM, LearningRate for the gradient fits``
        Expecto.Tests.testCase "gradient ascent: each step is theta + lr grad l on the documented parametrisation (autograd on the 2x2 closed forms), for every type, learned and fixed weights" ``gradient ascent: each step is theta + lr grad l on the documented parametrisation (autograd on the 2x2 closed forms), for every type, learned and fixed weights``
        Expecto.Tests.testCase "SGD: step t ascends the mean log-likelihood of the t-th pre-drawn batch x[randint(0, N, (T, B))] from the fit's generator" ``SGD: step t ascends the mean log-likelihood of the t-th pre-drawn batch x[randint(0, N, (T, B))] from the fit's generator``
        Expecto.Tests.testCase "MaxIter = 0: every method returns the start and a one-point curve" ``MaxIter = 0: every method returns the start and a one-point curve``
    ]
