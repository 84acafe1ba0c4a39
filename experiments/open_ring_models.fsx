// The open language on the K = 10 ring of radius 5: a RealNVP (affine couplings) written here in the script as a
// custom model, beside the built-in GMM, KDE, NICE and MLP VAE on the same 2-D points — test NLL of each on one fresh
// test sample, fitted densities, samples over the data.
//
// Run:    dotnet run --project src/Cli -- experiments/open_ring_models.fsx
// Quick:  dotnet run --project src/Cli -- experiments/open_ring_models.fsx --set budget.steps=60
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Core.dll"
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Dsl

// ---- RealNVP (Dinh et al. 2017), written as a user's model: about 35 lines ----

/// The hyperparameters: `describe` prints them under the model, `--set couplings=8` changes them.
type RealNvpSize = { Couplings: int; Hidden: int }

/// y = (a, b * exp(s(a)) + t(a)) on halves (a, b), swapped when `flip`; log|det| = sum s.
type AffineCoupling(d: int64, flip: bool, hidden: int64, g: Generator) as this =
    inherit Module()
    let half = d / 2L
    let nIn, nOut = (if flip then d - half, half else half, d - half)
    let net = this.RegisterModule("net", new Sequential(new Linear(nIn, hidden, generator = g), new Tanh(), new Linear(hidden, 2L * nOut, generator = g)))
    let split (x: Tensor) = if flip then x.Narrow(1L, half, d - half), x.Narrow(1L, 0L, half) else x.Narrow(1L, 0L, half), x.Narrow(1L, half, d - half)
    let join (a: Tensor) (b: Tensor) = if flip then Torch.Cat([| b; a |], 1L) else Torch.Cat([| a; b |], 1L)
    let st (a: Tensor) = let h = net.Forward a in h.Narrow(1L, 0L, nOut).Tanh(), h.Narrow(1L, nOut, nOut) // (B, nOut) each
    /// (B, D) -> z and log|det| (B).
    member _.Encode(x: Tensor) = let a, b = split x in let s, t = st a in join a (b * s.Exp() + t), s.Sum(1L)
    member _.Decode(z: Tensor) = let a, b = split z in let s, t = st a in join a ((b - t) * s.Neg().Exp())

type RealNvp(d: int64, size: RealNvpSize, g: Generator) as this =
    inherit Module()
    let layers = [ for i in 0 .. size.Couplings - 1 -> this.RegisterModule(sprintf "c%d" i, new AffineCoupling(d, i % 2 = 1, int64 size.Hidden, g)) ]
    /// log p(x) = log N(f(x); 0, I) + sum log|det|, (B, D) -> (B).
    member _.LogProb(x: Tensor) =
        let z, ld = layers |> List.fold (fun (z: Tensor, ld: Tensor) l -> let z2, l2 = l.Encode z in z2, ld + l2) (x, x.Sum(1L) * 0.0)
        (z * z).Sum(1L) * -0.5 - float d * 0.5 * log (2.0 * System.Math.PI) + ld
    member _.Sample(n: int, g: Generator) =
        layers |> List.rev |> List.fold (fun (z: Tensor) l -> l.Decode z) (Torch.Randn([| int64 n; d |], g))

let realNvp =
    Model.custom "realnvp" { Couplings = 6; Hidden = 64 } (fun size shape g ->
        let m = new RealNvp(int64 (List.head shape), size, g)
        Parts.density m m.LogProb |> Parts.withSampler (fun n g -> m.Sample(n, g)))

// ---- the experiment ----

let ring = Data.ring 10 5.0 2000
let adam = Fit.adam 3e-3 (Steps 1500) |> Fit.batch 256 |> Fit.evalOn [ Valid ] |> Fit.evalEvery (Steps 100) |> Fit.keepBest

let experiment =
    Experiment.create "open_ring_models"
    |> Experiment.titled "The ring (K = 10, R = 5): a RealNVP written in the script beside the built-in families"
    |> Experiment.seed 21UL
    |> Experiment.withCases
        [ Case.create "gmm" ring (Model.gmm 10 |> Model.start KMeansPlusPlus |> Model.restarts 3) [ Fit.em 200 |> Fit.tol 1e-8 ]
          Case.create "kde" ring Model.kde [ Fit.closedForm ]
          Case.create "realnvp" ring realNvp [ adam ]
          Case.create "nice" ring (Model.nice |> Model.niceSize 4 64 2 |> Model.prior Gaussian) [ adam ]
          Case.create "vae" ring (Model.vaeMlp 2 64 2 |> Model.likelihood (GaussianPixels 0.3)) [ adam |> Fit.objective Elbo ] ]
    |> Experiment.metrics [ TestNll; TestNllSe; TrueTestNll; Nll ]
    |> Experiment.plots [ DensityHeatmap 60; FitDensityHeatmap 60; Samples 500; LearningCurves; CurvesAcrossCases "valid nll" ]
    |> Experiment.note "test_nll is the mean -log p(x) of one fresh sample of 2000 points (the same for every case) with its standard error; the VAE has no exact density: its nll is its -ELBO on the training points, an upper bound."
