// Mila DGM Q6: gradient descent-ascent on V(d, g) = d g — the spiral of simultaneous GDA and the orbit of alternating GDA.
//
// Run:    dotnet run --project src/Cli -- experiments/mila_dgm_q6_gan_dynamics.fsx
//
// The #r below is only for editors; the gendsl host pre-references the DSL (see cse599i_hw1_p7_gmm.fsx).
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

// Step a = 0.1 for 100 steps from (d, g) = (1, 0).
let experiment =
    Experiment.create "mila_dgm_q6_gan_dynamics"
    |> Experiment.titled "Mila DGM Q6 — GAN dynamics: GDA on V(d, g) = d g"
    |> Experiment.seed 6UL
    |> Experiment.withStudy (Study.gda "q6" 0.1 100)
    |> Experiment.note "Simultaneous GDA is x_{k+1} = A x_k with A = [[1, a], [-a, 1]]: its only fixed point is (0, 0) and its eigenvalues are 1 +- i a, of modulus sqrt(1 + a^2) > 1, so the iterates rotate by atan(a) per step while |x_k| = sqrt(1 + a^2)^k |x_0| grows: the spiral diverges for every step size (here |x_100| = 1.01^50 = 1.64)."
    |> Experiment.note "Alternating GDA (g steps after seeing d's update) has A = [[1, a], [-a, 1 - a^2]] with det A = 1: for a < 2 its eigenvalues lie on the unit circle, it conserves d^2 + a d g + g^2, and the iterates cycle on an ellipse around the equilibrium instead of spiralling out; neither scheme converges to (0, 0)."
