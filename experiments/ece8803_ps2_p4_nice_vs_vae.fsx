// ECE 8803 PS2 P4: NICE and a VAE on MNIST with the same budget (50 epochs, batch 256, pytorch-generative's defaults):
// test NLL and bits/dim of both, IWAE-5000 for the VAE, samples side by side, time per epoch and parameters.
//
// Run:    dotnet run --project src/Cli -- experiments/ece8803_ps2_p4_nice_vs_vae.fsx
// Quick:  dotnet run --project src/Cli -- experiments/ece8803_ps2_p4_nice_vs_vae.fsx --set budget.epochs=1 --set data.subset=2000
// (On a 2-core machine one epoch takes about 1.5 min for NICE, 4 s for the MLP VAE and 2-4 min for the
// convolutional VAE when the machine is idle: the README gives measured figures.)
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

let epochs = Epochs 50

// All 60,000 training images, as pytorch-generative trains (nothing here uses a validation split: Data.mnist alone would
// hold out 10,000 of them and run 196 steps an epoch instead of 235).
let mnist = Data.mnist |> Data.noValidation

// A checkpoint after every epoch: a run stopped outright (a killed session) resumes losing at most one epoch.
let perEpoch fit = fit |> Fit.checkpointEvery (Epochs 1)

// NICE: 4 additive couplings of 5 x 1000 ReLU MLPs, diagonal scaling, logistic prior; dequantised pixels; Adam 1e-3.
let nice = Case.create "nice" (mnist |> Data.dequantized) Model.nice [ Fit.adam 1e-3 epochs |> Fit.batch 256 |> perEpoch ]

// pytorch-generative's VAE: dynamically binarised 32x32 images, convolutional encoder/decoder with residual blocks, Adam 5e-4.
let vae =
    Case.create "vae" (mnist |> Data.dynamicBinarized |> Data.images 2) Model.vaeConv
        [ Fit.adam 5e-4 epochs |> Fit.batch 256 |> Fit.objective Elbo |> perEpoch ]

// The classic MLP VAE 784-400-20 at the same budget: the fast configuration.
let vaeMlp =
    Case.create "vae-mlp" (mnist |> Data.dynamicBinarized) (Model.vaeMlp 784 400 20)
        [ Fit.adam 1e-3 epochs |> Fit.batch 256 |> Fit.objective Elbo |> perEpoch ]

let experiment =
    Experiment.create "ece8803_ps2_p4_nice_vs_vae"
    |> Experiment.titled "ECE 8803 PS2 P4 — NICE vs VAE on MNIST"
    |> Experiment.seed 8804UL
    |> Experiment.withCases [ nice; vae; vaeMlp ]
    |> Experiment.metrics [ Nll; BitsPerDim; NegElbo; NegIwae(5000, 100) ]
    |> Experiment.plots [ Samples 36; Reconstructions 12; LearningCurves ]
    |> Experiment.note "NLL is in nats per test image. For NICE it is exact: -log p of the dequantised image on [0,1]^784, and bits/dim = (NLL + 784 ln 256) / (784 ln 2) is the usual 8-bit figure. For the VAEs NLL is the tightest bound computed (IWAE-5000 on the first 100 test images when asked, else the ELBO on all of them) on dynamically binarised images, and bits/dim = NLL / (D ln 2) is per binary pixel of the model's input (D = 784 for the MLP VAE; 1024 for the convolutional VAE, whose images are padded to 32 x 32 with zeros it must also predict, so its per-original-pixel figure is NLL / (784 ln 2)): the two families model different data (continuous grey levels vs binary pixels), so their NLLs are not comparable numbers — the samples and each model's own figures are."
