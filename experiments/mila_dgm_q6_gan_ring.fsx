// Mila DGM Q6 beyond the bilinear game: a GAN (MLP generator and discriminator, non-saturating loss) on the K = 10
// ring of radius 10, trained with simultaneous and with alternating gradient updates; how many of the 10 modes it
// covers (a sample within 3 sigma), the mean NLL of its samples under the true ring, samples over training — next to
// the GDA dynamics on V = d g that Q6 analyses.
//
// Run:    dotnet run --project src/Cli -- experiments/mila_dgm_q6_gan_ring.fsx
// Quick:  dotnet run --project src/Cli -- experiments/mila_dgm_q6_gan_ring.fsx --set budget.steps=200
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

let ring = Data.ring 10 10.0 2000

let ganCase (scheme: GdaScheme) (label: string) =
    Case.create label ring (Model.gan |> Model.scheme scheme |> Model.snapshots 1000)
        [ Fit.train (Optim.adam 1e-3) (Steps 4000) |> Fit.batch 256 |> Fit.named "gan" ]

let experiment =
    Experiment.create "mila_dgm_q6_gan_ring"
    |> Experiment.titled "Mila DGM Q6 — a GAN on the ring: simultaneous vs alternating updates"
    |> Experiment.seed 6UL
    |> Experiment.withCases [ ganCase Simultaneous "simultaneous"; ganCase Alternating "alternating" ]
    |> Experiment.withStudy (Study.gda "q6" 0.1 100)
    |> Experiment.metrics [ ModesCovered; SampleNll ]
    |> Experiment.plots [ SamplesOverTraining; LearningCurves ]
    |> Experiment.note "modes_covered counts the ring's 10 components with at least one of 2000 generated samples within 3 standard deviations of their mean; sample_nll is the mean -log p_true of those samples (samples of the true ring itself score its entropy, about log 10 + log 2 pi + 1 = 5.14 nats)."
