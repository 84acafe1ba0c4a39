/// Studies/ArFit.fs: the AR-fit study (seed 002 P1) — its checks (stationarity), memory estimate, run (simulate and
/// fit with the core), claims, table, figures and summary.
module GenDsl.Dsl.ArFitStudy

open System
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Dsl.StudyCommon

/// Whether x_t = sum_i phi_i x_{t-i} + e_t is stationary: the step-down (Levinson) recursion gives the partial
/// autocorrelations k_j = phi^(j)_j, phi^(j-1)_i = (phi^(j)_i + k_j phi^(j)_{j-i}) / (1 - k_j^2); stationary iff every |k_j| < 1.
let stationary (phi: float list) =
    let rec go (a: float[]) =
        let j = a.Length
        if j = 0 then true
        else
            let k = a.[j - 1]
            if not (abs k < 1.0) then false
            else go (Array.init (j - 1) (fun i -> (a.[i] + k * a.[j - 2 - i]) / (1.0 - k * k)))
    go (List.toArray phi)

let check (l: string) (a: ArFitSpec) : DslError list =
    [ if a.Phi.IsEmpty then EmptyStudy(l, "true coefficients")
      elif not (stationary a.Phi) then NonStationaryAr(l, a.Phi)
      yield! positive l "sigma^2" a.Sigma2
      if a.Order < 1 then NonPositiveStudySetting(l, "the fitted order", float a.Order)
      elif a.Length <= 2 * max a.Order a.Phi.Length then OrderTooLong(l, max a.Order a.Phi.Length, a.Length) ]

/// Bytes at the peak: a few copies of the (T, p + 1) lag design.
let bytes (a: ArFitSpec) = 4.0 * float a.Length * float (max a.Order a.Phi.Length + 1) * float64Bytes

/// The series, the estimated phi with standard errors, sigma^2 and the log-likelihoods at the estimate (from the
/// model and in closed form) and at the truth.
type Outcome =
    { Spec: ArFitSpec
      Series: float[]
      Phi: float[]
      StdErr: float[]
      Sigma2: float
      LlAtEstimate: float
      LlClosedForm: float
      LlAtTruth: float }

/// Simulate, fit by least squares, standard errors sqrt(sigma^2_hat diag((X^T X)^-1)), log-likelihoods; the
/// experiment's seed unless the study has its own.
let run (seed: uint64) (a: ArFitSpec) : Outcome =
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
    { Spec = a
      Series = flat x
      Phi = fitted.Phi
      StdErr = se
      Sigma2 = fitted.Sigma2
      LlAtEstimate = (fitted.LogLikelihood(x)).ToDouble()
      LlClosedForm = -m / 2.0 * (log (2.0 * Math.PI * fitted.Sigma2) + 1.0)
      LlAtTruth = (truth.LogLikelihood(x, c)).ToDouble() }

/// The seed's claims: least squares recovers phi and sigma^2 within 4 standard errors; the log-likelihood at the MLE
/// has its closed form and is at least the truth's.
let claims (label: string) (o: Outcome) : (string * bool) list =
    let p = claim label
    let a = o.Spec
    let m = float (o.Series.Length - a.Order)
    [ if a.Order >= a.Phi.Length then
          let truth = Array.init a.Order (fun i -> if i < a.Phi.Length then a.Phi.[i] else 0.0)
          // asymptotic normal estimates: |z| > 4 with probability 6e-5 per coefficient
          let z = Array.map3 (fun h t e -> abs (h - t) / e) o.Phi truth o.StdErr |> Array.max
          p (sprintf "least squares recovers phi: every |phi_hat_i - phi_i| < 4 standard errors (largest %.2f)" z), z < 4.0
      // Var(sigma2_hat) ~ 2 sigma^4 / m
      let zs = abs (o.Sigma2 - a.Sigma2) / (a.Sigma2 * sqrt (2.0 / m))
      p (sprintf "sigma^2_hat = mean squared residual = %s recovers sigma^2 = %g (%.2f standard errors < 4)" (f4 o.Sigma2) a.Sigma2 zs), zs < 4.0
      p (sprintf "log-likelihood at the MLE = -m/2 (log(2 pi sigma^2_hat) + 1) = %s (the model's %s)" (f4 o.LlClosedForm) (f4 o.LlAtEstimate)),
      abs (o.LlAtEstimate - o.LlClosedForm) <= 1e-9 * abs o.LlClosedForm
      // the MLE maximises the likelihood conditioned on the first p values; the truth's is conditioned the same way only when p >= its order
      if a.Order >= a.Phi.Length then p (sprintf "the MLE's log-likelihood %s >= the truth's %s" (f4 o.LlAtEstimate) (f4 o.LlAtTruth)), o.LlAtEstimate >= o.LlAtTruth - 1e-9 ]

let tables (label: string) (o: Outcome) : Report.Table list =
    let a = o.Spec
    [ { Caption = sprintf "%s: AR(%d) fitted to a series of length %d from the AR(%d) below" label a.Order o.Series.Length a.Phi.Length
        Headers = [ "parameter"; "true"; "estimate"; "standard error" ]
        Rows =
            [ for i in 0 .. o.Phi.Length - 1 do
                yield [ sprintf "phi_%d" (i + 1); (if i < a.Phi.Length then g6 a.Phi.[i] else "0"); f4 o.Phi.[i]; f4 o.StdErr.[i] ]
              yield [ "sigma^2"; g6 a.Sigma2; f4 o.Sigma2; f4 (o.Sigma2 * sqrt (2.0 / float (o.Series.Length - a.Order))) ]
              yield [ "log-likelihood"; f4 o.LlAtTruth; f4 o.LlAtEstimate; "" ]
              yield [ "-m/2 (log(2 pi sigma^2_hat) + 1)"; ""; f4 o.LlClosedForm; "" ] ] } ]

let figures (label: string) (o: Outcome) : Plots.Figure list =
    let a = o.Spec
    let shown = o.Series |> Array.truncate 400
    let names = [ for i in 1 .. max o.Phi.Length a.Phi.Length -> sprintf "phi_%d" i ]
    let pad (xs: float[]) = names |> List.mapi (fun i _ -> if i < xs.Length then xs.[i] else 0.0)
    [ Plots.figure (figureId label "series") (sprintf "%s: the simulated series (first %d of %d values)" label shown.Length o.Series.Length) "t" "x_t" false
          [ Plots.line "x_t" (shown |> Array.mapi (fun t _ -> float t)) shown ]
      Plots.figure (figureId label "coefficients") (sprintf "%s: estimated (+- 2 standard errors) vs true coefficients" label) "coefficient" "value" false
          [ Plots.bars "true" names (pad (List.toArray a.Phi)); Plots.barsWithErrors "estimate" names (pad o.Phi) (pad (o.StdErr |> Array.map ((*) 2.0))) ] ]

let paragraph (o: Outcome) =
    let a = o.Spec
    sprintf "x_t = sum_i phi_i x_{t-i} + e_t, e_t ~ N(0, %g), from p zeros; the fit conditions on the first %d values and solves the normal equations (X^T X) phi = X^T y; sigma^2_hat = SSE / m with m = T - p." a.Sigma2 a.Order

let summary (label: string) (o: Outcome) =
    summaryOf label [ "phi", nums o.Phi; "std_err", nums o.StdErr; "sigma2", num o.Sigma2; "log_likelihood", num o.LlAtEstimate; "log_likelihood_truth", num o.LlAtTruth ]

/// This study's operations for the dispatcher (Studies.fs).
let ops (a: ArFitSpec) : StudyOps =
    { Check = fun label -> check label a
      Bytes = fun () -> bytes a
      Run = fun seed label ->
          let o = run seed a
          { Claims = claims label o; Paragraph = paragraph o; Tables = tables label o; Figures = figures label o; Summary = summary label o } }
