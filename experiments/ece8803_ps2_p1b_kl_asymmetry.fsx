// ECE 8803 PS2 P1b: a Gaussian fitted to a bimodal target by forward KL(p||q) and by reverse KL(q||p), both by autograd.
//
// Run:    dotnet run --project src/Cli -- experiments/ece8803_ps2_p1b_kl_asymmetry.fsx
// Check:  dotnet run --project src/Cli -- check experiments/ece8803_ps2_p1b_kl_asymmetry.fsx
//
// The #r below is only for editors; the gendsl host pre-references the DSL (see cse599i_hw1_p7_gmm.fsx).
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

// p = (N(-5, 1) + N(5, 1)) / 2. Both fits start at N(2, 1) (between the modes, nearer the right one) and take
// 1500 gradient steps of 0.2 on (mu, log sigma); the integrals are Simpson sums on [-15, 15].
let study = Study.klAsymmetry "p1b"

let experiment =
    Experiment.create "ece8803_ps2_p1b_kl_asymmetry"
    |> Experiment.titled "ECE 8803 PS2 P1b — forward vs reverse KL: fitting one Gaussian to two modes"
    |> Experiment.seed 8803UL
    |> Experiment.withStudy study
    |> Experiment.note "Forward KL(p||q) = const - E_p[log q] is minimised by matching p's mean and variance (0 and 1 + 5^2 = 26): q spreads over both modes and puts much mass in the empty middle (mass-covering). Reverse KL(q||p) = E_q[log q - log p] punishes q wherever p is small, so q settles on one mode, N(5, 1) from this start, with KL(q||p) close to log 2 (q misses half of p's mass) (mode-seeking)."
    |> Experiment.note "Each fit is best in its own divergence and bad in the other: the table shows KL(p||q) small for the forward fit and large for the reverse one, and the opposite for KL(q||p)."
