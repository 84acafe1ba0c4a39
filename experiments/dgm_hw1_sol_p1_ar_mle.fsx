// Seed 002 (DGM HW1 solutions) P1: maximum likelihood for AR(p) — least-squares coefficients, sigma^2 and the log-likelihood of a simulated series.
//
// Run:    dotnet run --project src/Cli -- experiments/dgm_hw1_sol_p1_ar_mle.fsx
//
// The #r below is only for editors; the gendsl host pre-references the DSL (see cse599i_hw1_p7_gmm.fsx).
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

// x_t = 0.6 x_{t-1} - 0.3 x_{t-2} + 0.2 x_{t-3} + e_t, e_t ~ N(0, 0.5), T = 2000; fitted with the true order and one more.
let truePhi = [ 0.6; -0.3; 0.2 ]

let experiment =
    Experiment.create "dgm_hw1_sol_p1_ar_mle"
    |> Experiment.titled "DGM HW1 (solutions) P1 — AR(p) maximum likelihood by least squares"
    |> Experiment.seed 2UL
    |> Experiment.withStudies
        [ Study.arFit "order-3" truePhi 0.5 2000
          Study.arFit "order-4" truePhi 0.5 2000 |> Study.order 4 ]
    |> Experiment.note "Conditioning on the first p values, log p = -(T-p)/2 log(2 pi sigma^2) - SSE(phi) / (2 sigma^2). For any sigma^2 it is maximised by the phi that minimises SSE: the least-squares solution of the normal equations (X^T X) phi = X^T y (the seed's own derivation stops before this). Then sigma^2_hat = SSE / (T - p), and the maximum is -(T-p)/2 (log(2 pi sigma^2_hat) + 1)."
    |> Experiment.note "The estimates scatter around the truth with standard errors sqrt(sigma^2 diag((X^T X)^-1)), about 0.02 here; fitting one lag too many gives phi_4 near 0 and almost the same log-likelihood."
