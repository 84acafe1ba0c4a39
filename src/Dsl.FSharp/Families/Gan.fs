/// Families/Gan.fs: GANs with MLP generator and discriminator (Mila Q6 on the ring): the non-saturating loss,
/// simultaneous or alternating updates.
module GenDsl.Dsl.GanFamily

open System
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Training
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.FamilyCommon
open GenDsl.Training

let name = "GAN"

let private check (g: GanSpec) (c: Case) =
    [ match c.Data with
      | MixtureSample _ -> ()
      | Points _ | DataFile _ | Mnist _ -> BadSetting(where c, "a GAN's mode coverage and sample NLL need data drawn from a known mixture (Data.ring, Data.sample)")
      | WikiText2 _ -> yield! refuse name c vectorsOnly
      if g.Hidden < 1 || g.HiddenLayers < 1 || g.Latent < 1 then BadSetting(where c, sprintf "the GAN's networks need >= 1 hidden layer of >= 1 unit and a latent size >= 1, got %d x %d and %d" g.HiddenLayers g.Hidden g.Latent)
      if g.DiscriminatorSteps < 1 then BadSetting(where c, sprintf "the discriminator needs >= 1 step per generator step, got %d" g.DiscriminatorSteps)
      if g.SnapshotEvery < 0 then BadSetting(where c, sprintf "SnapshotEvery must be >= 0, got %d" g.SnapshotEvery) ]

let private checkFit = maxLikelihoodOnly name "the default objective"

let private bytes (g: GanSpec) (_: Experiment) (pc: PlannedCase) =
    let n, d, h, layers = float pc.N, float (max 1 pc.Dim), float g.Hidden, float g.HiddenLayers
    let pars = 2.0 * (d * h + (layers - 1.0) * h * h + h * d) + float g.Latent * h
    // the points (and the draw that made them), both networks' activations on a batch of real and generated points,
    // and the snapshots kept for the figure (500 points each).
    let steps = pc.Resolved |> Seq.sumBy (fun kv -> float kv.Value.Steps)
    let snaps = if g.SnapshotEvery > 0 then steps / float g.SnapshotEvery * 500.0 * d * f64 else 0.0
    3.0 * n * d * f64 + trainedBytes pars + 4.0 * largestBatch pc * h * layers * f32 + snaps, sprintf "%g points of dimension %g" n d

let private ganModule (gs: GanSpec) (dim: int) (g: Generator) = GenDsl.Models.Gan.Mlp(dim, gs.Latent, int64 gs.Hidden, gs.HiddenLayers, g)

/// Every gradient fit through the one Trainer, as a game of two players (GanGame): evaluation (the mean -log p_true of
/// 2,000 generated points, "sample_nll", lower is better), keep-best, early stop, checkpoints and resume as for every
/// neural family. Snapshots of G(z) for one fixed z are kept before step 1, every SnapshotEvery steps and at the end (a
/// resumed run keeps those taken after the resume).
let private fits (ctx: Context) (gs: GanSpec) (x: Tensor) (truth: GenDsl.Models.GaussianMixture option) : FitOutcome list =
    let e = ctx.Experiment
    let tr = match truth with Some t -> t | None -> invalidOp "unreachable: the checker refuses a GAN without a known mixture"
    let data = new TensorDataset(x)
    let snapshots = System.Runtime.CompilerServices.ConditionalWeakTable<NN.Module, ResizeArray<GanSnapshot>>()
    let ganOf (nn: Neural) = nn.Module :?> GenDsl.Models.Gan
    let make (_: Training) (r: ResolvedFit) (g: Generator) =
        let gan = ganModule gs ctx.Planned.Dim g
        let steps = r.Steps
        let scheme = match gs.Scheme with Simultaneous -> GenDsl.Models.GdaScheme.Simultaneous | Alternating -> GenDsl.Models.GdaScheme.Alternating
        let step = GanGame.Step(gan, scheme, gs.DiscriminatorSteps, true, r.Batch)
        let kept = ResizeArray<GanSnapshot>()
        snapshots.AddOrUpdate(gan, kept)
        // the fixed z of the figure, from the fit's seed (the trainer's is e.Seed + 1)
        let z = GanGame.SnapshotLatent(gan, 500L, e.Seed + 1UL)
        if gs.SnapshotEvery > 0 then kept.Add(GanTrainer.Snapshot(gan, 0L, z))
        let game =
            Game(fun st ->
                step.Invoke st
                let s = st.Context.Step
                if gs.SnapshotEvery > 0 && (s % int64 gs.SnapshotEvery = 0L || s = steps) then kept.Add(GanTrainer.Snapshot(gan, s, z)))
        { Module = gan
          Moves = Play([ GanGame.Discriminator, gan.DiscriminatorNet.Parameters(); GanGame.Generator, gan.GeneratorNet.Parameters() ], game)
          Metric = "sample_nll"
          EvaluateOn = fun _ g -> (use _s = Scope.Begin() in GenDsl.Models.ModeCoverage.MeanNll(gan.Sample(2000L, g), GenDsl.Models.Density.Of(tr))) }
    let final (nn: Neural) (g: Generator) =
        use s = Scope.Begin()
        let samples = (ganOf nn).Sample(2000L, g)
        [ for ms in e.Metrics do
            match ms with
            | ModesCovered -> ms, float (GenDsl.Models.ModeCoverage.Covered(samples, tr.Means, 1.0, 3.0))
            | SampleNll -> ms, GenDsl.Models.ModeCoverage.MeanNll(samples, GenDsl.Models.Density.Of(tr))
            | _ -> () ]
    let extras (nn: Neural) (_: Generator) (o: FitOutcome) =
        let kept = match snapshots.TryGetValue nn.Module with | true, k -> List.ofSeq k | _ -> []
        let o = { o with Snapshots = [ for snap in kept -> int snap.Step, rows snap.Samples ] }
        for snap in kept do snap.Samples.Dispose()
        o
    neuralFits ctx data make final extras

/// Points from the generator saved in the fit's checkpoint.
let private sample (gs: GanSpec) (r: SampleRequest) =
    let gan = ganModule gs r.Planned.Dim r.Generator
    r.Load gan |> Result.bind (fun () -> r.Write(gan.Sample(int64 r.Count, r.Generator)))

let ops (g: GanSpec) : FamilyOps =
    { Name = name
      Check = fun c -> readsPointsOnce "GAN" c @ check g c
      CheckFit = checkFit
      Bytes = bytes g
      Run = fun ctx -> onVectors ctx (fits ctx g)
      Sample = sample g }
