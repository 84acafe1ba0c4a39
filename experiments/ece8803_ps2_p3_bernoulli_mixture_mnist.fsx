// ECE 8803 PS2 P3: a mixture of K multivariate Bernoullis fitted by EM to N = 1000 binarised MNIST training images
// sampled at random with the experiment's seed (Data.subset 1000 would take the first 1000 instead),
// K = 5, 10, 20, 20 iterations, the seed's smoothing (alpha1 = alpha2 = 1e-8) and its start; the components as images,
// ancestral samples (P3e), held-out log-likelihood per K; then K = 20 on all 60,000 training images, timed.
//
// Run:    dotnet run --project src/Cli -- experiments/ece8803_ps2_p3_bernoulli_mixture_mnist.fsx
// Quick:  dotnet run --project src/Cli -- experiments/ece8803_ps2_p3_bernoulli_mixture_mnist.fsx --set em.iterations=3
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

// P3: "N = 1000 training images sampled at random", binarised at 0.5; drawn without replacement with the seed 8803.
let images = Data.mnist |> Data.binarized |> Data.randomSubset 1000

// The seed's start: p_k ~ U(0,1)^784 scaled to unit length (so every p_kd is about 0.06), pi_k = 1/K.
let seedCase k = Case.create (sprintf "k%d" k) images (Model.bmm k) [ Fit.em 20 ]

let experiment =
    Experiment.create "ece8803_ps2_p3_bernoulli_mixture_mnist"
    |> Experiment.titled "ECE 8803 PS2 P3 — Bernoulli mixtures on binarised MNIST by EM"
    |> Experiment.seed 8803UL
    |> Experiment.withCases (Case.sweep seedCase [ 5; 10; 20 ])
    // The better start offered beside the seed's: each p_k the mean of a few random images, shrunk toward 1/2.
    |> Experiment.withCase (Case.create "k20-data-start" images (Model.bmm 20 |> Model.bmmStart RandomDataMeans) [ Fit.em 20 ])
    // All 60,000 training images (no validation split), the seed's start, timed.
    |> Experiment.withCase (Case.create "k20-all-60000" (Data.mnist |> Data.binarized |> Data.noValidation) (Model.bmm 20) [ Fit.em 20 ])
    |> Experiment.metrics [ Nll; BitsPerDim ]
    |> Experiment.plots [ LogLikelihoodCurves; ComponentMeans; Samples 25 ]
    // A model that predicts every pixel with probability 1/2 has NLL 784 ln 2 = 543.4 nats; any fitted mixture must beat it.
    |> Experiment.expect (Expect.nll Below 543.4)
    |> Experiment.note "NLL is the mean -log p(x) of the 10,000 binarised test images in nats (bits/dim = NLL / (784 ln 2)). The seed's start puts every p_kd near 1/sqrt(784 * 1/3) ~ 0.06, far below the data's ink fraction; the first E-step then assigns images by how little ink they have, and EM spends its first iterations recovering. The data-mean start begins from image-like components."
