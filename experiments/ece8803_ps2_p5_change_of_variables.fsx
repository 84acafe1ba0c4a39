// ECE 8803 PS2 P5: histograms of samples against the densities derived by change of variables (1/Cauchy, e^Y, distance in a square).
//
// Run:    dotnet run --project src/Cli -- experiments/ece8803_ps2_p5_change_of_variables.fsx
//
// The #r below is only for editors; the gendsl host pre-references the DSL (see cse599i_hw1_p7_gmm.fsx).
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

// 5a: 1/X for X ~ Cauchy(0, 1); 5b: e^Y for Y ~ N(0, 0.5^2); 5c: |U - (1,1)| for U uniform on [0,2]^2. 20000 samples each.
let experiment =
    Experiment.create "ece8803_ps2_p5_change_of_variables"
    |> Experiment.titled "ECE 8803 PS2 P5 — change of variables: histograms vs derived densities"
    |> Experiment.seed 6UL
    |> Experiment.withStudy (Study.changeOfVariables "p5" 20000)
    |> Experiment.note "5a: p_{1/X}(y) = p_X(1/y) / y^2 = 1 / (pi (y^2 + 1)): 1/X is again standard Cauchy. 5b: p(x) = N(log x; mu, sigma^2) / x (lognormal). 5c: P(Z <= z) is the area of the disc of radius z inside the square over 4, so f(z) = pi z / 2 on [0, 1] and z (pi/2 - 2 arccos(1/z)) on (1, sqrt 2]; the kink at z = 1 is where the circle first touches the sides."
    |> Experiment.note "Each histogram should follow its curve within sampling noise (a bin with probability q has relative error about 1/sqrt(n q)); the Kolmogorov-Smirnov statistics check the whole distribution at once."
