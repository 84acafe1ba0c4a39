/// ResolvedPlanTests.fs: issue 21's last items — lengths in epochs follow the data and the batch, resolved once by the
/// checker into the plan (batch, steps, intervals, the schedule in steps) that the trainer runs as given: P8's hold and
/// evaluations of one epoch at batch 32 and 8, a hold longer than its fit refused, a tiny run's steps, evaluations and
/// rates equal to its plan's, and schedules in steps with their closed-form rates.
module GenDsl.Tests.Dsl.ResolvedPlanTests

open System
open System.IO
open System.Text.Json.Nodes
open Xunit
open GenDsl.Torch
open GenDsl.Torch.Optim
open GenDsl.Dsl
open GenDsl.Cli
open GenDsl.Tests.Support
open GenDsl.Tests.Dsl.EndToEndTests

let private planOf (sets: string list) (e: Experiment) =
    match Settings.planWith sets e with
    | Ok p -> p
    | Error es -> failwithf "%A" (es |> List.map Check.message)

let private resolved (p: Plan) (case: string) (fit: string) = (p.Cases |> List.find (fun c -> c.Case.Label = case)).Resolved.[fit]

let private p8 = lazy (match ScriptHost.load (Path.Combine(repoRoot (), "experiments", "cse599i_hw1_p8_transformer_wikitext2.fsx")) with Ok xs -> xs.Head | Error m -> failwithf "%A" m)

let ``P8's hold and evaluations of one epoch follow the batch: 436 steps at 32, 1,741 at 8 (before: frozen at 436)`` () =
    let factor = 1e-4 / 3.5e-4
    // (2,088,628 - 1) / 150 = 13,924 training windows.
    let p = planOf [] p8.Value
    for c in p.Cases do Assert.Equal(13924, c.N)
    // At batch 32 one epoch is the 436 steps the script froze before ((2088628 - 1) / context / batch + 1).
    Assert.Equal(int64 ((2088628 - 1) / 150 / 32 + 1), (resolved p "b" "adam").StepsPerEpoch)
    for case, epochs in [ "b", 10L; "c", 10L; "d", 80L ] do
        let r = resolved p case "adam"
        Assert.Equal((32, 436L, epochs * 436L, 436L), (r.Batch, r.StepsPerEpoch, r.Steps, r.EvalEvery))
        Assert.Equal(HoldLr(436L, factor, ConstantLr), r.Schedule)
    Assert.Equal("10 epochs = 4,360 steps of 32", Check.budgetText (match p.Cases.Head.Case.Fits.Head.Fitter with Gradient t -> t | _ -> failwith "gradient") (resolved p "b" "adam"))
    // --set batch=8: ceil(13,924 / 8) = 1,741 steps an epoch, for the hold and the evaluations alike.
    let r = resolved (planOf [ "batch=8" ] p8.Value) "b" "adam"
    Assert.Equal((8, 1741L, 17410L, 1741L), (r.Batch, r.StepsPerEpoch, r.Steps, r.EvalEvery))
    Assert.Equal(HoldLr(1741L, factor, ConstantLr), r.Schedule)
    // The Quick line: (3,000 - 1) / 30 = 99 windows, ceil(99 / 8) = 13 steps, the hold the whole epoch; eval_every=5 is
    // a bare number of steps.
    let quick = [ "budget.epochs=1"; "data.subset=3000"; "data.eval_subset=1000"; "context=30"; "batch=8"; "eval_every=5" ]
    let r = resolved (planOf quick p8.Value) "b" "adam"
    Assert.Equal((8, 13L, 13L, 5L), (r.Batch, r.StepsPerEpoch, r.Steps, r.EvalEvery))
    Assert.Equal(HoldLr(13L, factor, ConstantLr), r.Schedule)

let private nice (fit: FitSpec) =
    Experiment.create "plan"
    |> Experiment.seed 4UL
    |> Experiment.withCase (Case.create "n" (Data.ring 4 2.0 200) (Model.nice |> Model.niceSize 2 8 1 |> Model.prior Gaussian) [ fit ])

let ``a hold or warm-up longer than its fit is refused naming the case and fit (before: the rest of the schedule silently never came)`` () =
    let refused (fit: FitSpec) =
        match Check.plan (nice fit) with
        | Ok _ -> failwith "accepted"
        | Error es -> es |> List.map Check.message
    // 200 points in batches of 50: an epoch is 4 steps, so 3 epochs of hold outlast a 10-step fit.
    let adam = Fit.adam 1e-3 (Steps 10) |> Fit.batch 50
    Assert.Equal<string list>([ "case 'n', fit 'adam': the hold lasts 12 steps (to step 12), longer than the fit's 10 steps of 50: shorten it or lengthen the fit" ],
                              refused (adam |> Fit.schedule (Hold(Epochs 3, 0.5, Constant))))
    Assert.Equal<string list>([ "case 'n', fit 'adam': the hold lasts 8 steps (to step 12), longer than the fit's 10 steps of 50: shorten it or lengthen the fit" ],
                              refused (adam |> Fit.schedule (Warmup(Steps 4, Hold(Epochs 2, 0.5, Constant)))))
    // 3 epochs of ceil(200 / 64) = 4 steps.
    Assert.Equal<string list>([ "case 'n', fit 'adam': the warm-up lasts 13 steps (to step 13), longer than the fit's 3 epochs = 12 steps of 64: shorten it or lengthen the fit" ],
                              refused (Fit.adam 1e-3 (Epochs 3) |> Fit.batch 64 |> Fit.schedule (Warmup(Steps 13, Constant))))
    // As long as the fit is allowed (a hold over a whole one-epoch run, as P8's Quick line has).
    let p = planOf [] (nice (adam |> Fit.schedule (Hold(Epochs 2, 0.5, Constant)) |> Fit.budget (Epochs 2)))
    Assert.Equal(HoldLr(8L, 0.5, ConstantLr), (resolved p "n" "adam").Schedule)

let ``a tiny run's steps, evaluations and held rate are the plan's: 2 epochs of ceil(200 / 64) = 4 steps`` () =
    let root = tempDir ()
    let fit =
        Fit.adam 1e-3 (Epochs 2) |> Fit.batch 64 |> Fit.schedule (Hold(Epochs 1, 0.5, Constant))
        |> Fit.evalOn [ Valid ] |> Fit.evalEvery (Epochs 1) |> Fit.checkpointEvery (Epochs 1)
    let plan = planOf [] (nice fit)
    let r = resolved plan "n" "adam"
    Assert.Equal((64, 4L, 8L, 4L, 4L, HoldLr(4L, 0.5, ConstantLr)), (r.Batch, r.StepsPerEpoch, r.Steps, r.EvalEvery, r.CheckpointEvery, r.Schedule))
    let o = Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } plan
    Assert.Equal(None, o.Error)
    let rows = [ for line in File.ReadAllLines(Path.Combine(o.Folder, "metrics.jsonl")) -> JsonNode.Parse line ]
    let stepsWith (key: string) = [ for x in rows do if x.[key] <> null then x.["step"].GetValue<int64>(), x.[key].GetValue<float>() ]
    Assert.Equal<int64 list>([ 1L .. r.Steps ], stepsWith "loss" |> List.map fst)
    Assert.Equal<int64 list>([ r.EvalEvery; 2L * r.EvalEvery ], stepsWith "valid nll" |> List.map fst)
    // Steps 1..4 at half the rate (the held epoch), then the rate itself.
    let lrs = stepsWith "lr"
    Assert.Equal(int r.Steps, lrs.Length)
    for s, lr in lrs do closeScalar 1e-12 (if s <= 4L then 5e-4 else 1e-3) lr
    let s = JsonNode.Parse(File.ReadAllText(Path.Combine(o.Folder, "summary.json")))
    Assert.Equal(8, s.["cases"].[0].["fits"].[0].["iterations"].GetValue<int>())
    try Directory.Delete(root, true) with _ -> ()

/// The rate before each of n steps of a resolved schedule, from lr 0.1 (the trainer steps it once per optimizer step).
let private rates (s: StepSchedule) n =
    use opt = new SGD([ Torch.Zeros(1L).RequiresGrad_() ], lr = 0.1)
    let sched = Fitting.scheduleFactory s
    match sched.Invoke opt with
    | null -> List.replicate n opt.LR
    | sc -> [ for _ in 1 .. n -> (let lr = sc.LR in sc.Step(); lr) ]

let ``schedules in steps resolve and run as before: a warm-up then cosine, a step decay, a constant rate`` () =
    let planned (s: Schedule) = (resolved (planOf [] (nice (Fit.adam 1e-3 (Steps 14) |> Fit.batch 50 |> Fit.schedule s))) "n" "adam").Schedule
    // Warm-up over 4 steps from lr / 1000, then a cosine to 0 over the 10 steps left.
    let s = planned (Warmup(Steps 4, Cosine 0.0))
    Assert.Equal(WarmupLr(4L, CosineLr(10L, 0.0)), s)
    let got = rates s 14
    for t in 0 .. 13 do
        let expected = if t < 4 then 0.1 * (1e-3 + (1.0 - 1e-3) * float t / 4.0) else 0.1 * (1.0 + cos (Math.PI * float (t - 4) / 10.0)) / 2.0
        closeScalar 1e-12 expected got.[t]
    let s = planned (StepDecay(Steps 3, 0.5))
    Assert.Equal(StepLr(3L, 0.5), s)
    List.iteri (fun t lr -> closeScalar 1e-15 (0.1 * 0.5 ** float (t / 3)) lr) (rates s 14)
    Assert.Equal(ConstantLr, planned Constant)
    Assert.Equal<float list>(List.replicate 14 0.1, rates ConstantLr 14)
    // A cosine alone anneals over the whole fit; a step decay of one epoch (200 / 50 = 4 steps) is 4 steps.
    Assert.Equal(CosineLr(14L, 0.1), planned (Cosine 0.1))
    Assert.Equal(StepLr(4L, 0.5), planned (StepDecay(Epochs 1, 0.5)))

let ``--set reaches lengths: a bare number is steps, eval_every.epochs switches the unit, and steps alone still names the budget`` () =
    let e = nice (Fit.adam 1e-3 (Steps 10) |> Fit.batch 50 |> Fit.evalOn [ Valid ] |> Fit.evalEvery (Epochs 1) |> Fit.schedule (Hold(Steps 2, 0.5, Constant)))
    let training (e: Experiment) = match e.Cases.Head.Fits.Head.Fitter with Gradient t -> t | _ -> failwith "gradient"
    let applied sets = match Settings.applyOverrides sets e with Ok e2 -> training e2 | Error es -> failwithf "%A" (es |> List.map Check.message)
    Assert.Equal(Steps 5, (applied [ "eval_every=5" ]).EvalEvery)
    Assert.Equal(Steps 3, (applied [ "eval_every.steps=3" ]).EvalEvery)
    Assert.Equal(Epochs 2, (applied [ "length.epochs=2" ]).Schedule |> function Hold (l, _, _) -> l | _ -> Steps 0)
    let t = applied [ "steps=12"; "adam.steps=11" ]
    Assert.Equal((Steps 11, Epochs 1), (t.Budget, t.EvalEvery))
    Assert.Equal(Epochs 3, (applied [ "checkpoint_every.epochs=3" ]).CheckpointEvery)
    // What a script of several experiments asks of each (a key goes to those that know it).
    for key in [ "eval_every"; "eval_every.steps"; "budget.epochs"; "length.epochs" ] do Assert.True(Settings.knows e key, key)
    Assert.False(Settings.knows e "evl_every")

let ``a config.json written before lengths (eval_every: 5, a hold's steps: 436) reads back in steps, so its run resumes`` () =
    let e = nice (Fit.adam 1e-3 (Steps 10) |> Fit.batch 50 |> Fit.evalEvery (Steps 5) |> Fit.checkpointEvery (Steps 2))
    let old = JsonNode.Parse(Describe.toJson e)
    let fit = old.["cases"].[0].["fits"].[0]
    fit.["eval_every"] <- JsonValue.Create 5
    fit.["checkpoint_every"] <- JsonValue.Create 2
    Assert.Equal(Ok e, Describe.ofJson (old.ToJsonString()))
    // A schedule's length was `steps` then: P8's hold of 436 steps in a config of that time.
    let held = nice (Fit.adam 1e-3 (Steps 1000) |> Fit.batch 50 |> Fit.schedule (Warmup(Steps 10, Hold(Steps 436, 0.3, Constant))))
    let oldHeld = JsonNode.Parse(Describe.toJson held)
    let rec rename (n: JsonNode) =
        match n with
        | :? JsonObject as o ->
            if o.ContainsKey "length" then (let v = o.["length"].["steps"].GetValue<int>() in o.Remove "length" |> ignore; o.["steps"] <- JsonValue.Create v)
            for kv in List.ofSeq o do (match kv.Value with null -> () | v -> rename v)
        | :? JsonArray as a -> for x in a do (match x with null -> () | v -> rename v)
        | _ -> ()
    rename oldHeld
    Assert.DoesNotContain("length", oldHeld.ToJsonString())
    Assert.Equal(Ok held, Describe.ofJson (oldHeld.ToJsonString()))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.ResolvedPlanTests" [
        Expecto.Tests.testCase "P8's hold and evaluations of one epoch follow the batch: 436 steps at 32, 1,741 at 8 (before: frozen at 436)" ``P8's hold and evaluations of one epoch follow the batch: 436 steps at 32, 1,741 at 8 (before: frozen at 436)``
        Expecto.Tests.testCase "a hold or warm-up longer than its fit is refused naming the case and fit (before: the rest of the schedule silently never came)" ``a hold or warm-up longer than its fit is refused naming the case and fit (before: the rest of the schedule silently never came)``
        Expecto.Tests.testCase "a tiny run's steps, evaluations and held rate are the plan's: 2 epochs of ceil(200 / 64) = 4 steps" ``a tiny run's steps, evaluations and held rate are the plan's: 2 epochs of ceil(200 / 64) = 4 steps``
        Expecto.Tests.testCase "schedules in steps resolve and run as before: a warm-up then cosine, a step decay, a constant rate" ``schedules in steps resolve and run as before: a warm-up then cosine, a step decay, a constant rate``
        Expecto.Tests.testCase "a config.json written before lengths (eval_every: 5, a hold's steps: 436) reads back in steps, so its run resumes" ``a config.json written before lengths (eval_every: 5, a hold's steps: 436) reads back in steps, so its run resumes``
        Expecto.Tests.testCase "--set reaches lengths: a bare number is steps, eval_every.epochs switches the unit, and steps alone still names the budget" ``--set reaches lengths: a bare number is steps, eval_every.epochs switches the unit, and steps alone still names the budget``
    ]
