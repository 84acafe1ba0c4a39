/// Sources.fs: the data a case names, as the families read it — mixture samples and given points, a user's data files,
/// MNIST's splits — and every vector source as (N, D) float64 rows per split, so a family pairs with data by shape.
module GenDsl.Dsl.Sources

open System
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Dsl.Fitting

// ---- mixture samples and given points ----

let truthOf (m: Mixture) =
    match m with
    | Cse599iP7 -> GenDsl.Models.GaussianMixture.Cse599iP7()
    | Ring (k, r) -> GenDsl.Models.GaussianMixture.Ring(k, r)
    | Custom (w, means) -> new GenDsl.Models.GaussianMixture(Torch.Tensor<float>(List.toArray w), tensorOf means)

/// Points (N, D), the drawing component of each point and the true mixture, when known.
let mixtureData (seed: uint64) (d: DataSpec) : Tensor * int[] option * GenDsl.Models.GaussianMixture option =
    match d with
    | Points p -> tensorOf p, None, None
    | Mnist _ | WikiText2 _ | DataFile _ -> invalidOp "mixtureData: only mixture samples and points are points"
    | MixtureSample s ->
        let truth = truthOf s.Source
        use g = new Generator(defaultArg s.Seed seed)
        if s.Stratified then
            // n/K points from each component (the first n mod K get one more): x = mu_k + eps, eps ~ N(0, I).
            let k = truth.K
            let parts =
                [ for j in 0 .. k - 1 do
                    let nj = s.N / k + (if j < s.N % k then 1 else 0)
                    if nj > 0 then
                        let x = Torch.Randn([| int64 nj; int64 truth.D |], g, ScalarType.Float64) + truth.Means.Select(0, int64 j) // (nj, D)
                        x, Array.create nj j ]
            Torch.Cat(parts |> List.map fst |> List.toArray, 0L), Some(parts |> Array.ofList |> Array.collect snd), Some truth
        else
            let struct (x, z) = truth.Sample(int64 s.N, g)
            x, Some(z.ToArray<int64>() |> Array.map int), Some truth

/// A split of a mixture sample: Train is the case's data; Valid and Test are fresh i.i.d. samples of the same size from
/// the same mixture (seeds derived from the data's), so every family is compared on one test sample.
let mixtureSplit (seed: uint64) (d: DataSpec) (split: Split) : Tensor option =
    match d with
    | MixtureSample s ->
        match split with
        | Train -> let x, _, _ = mixtureData seed d in Some x
        | Valid | Test ->
            let offset = if split = Valid then 101UL else 202UL
            let x, _, _ = mixtureData seed (MixtureSample { s with Stratified = false; Seed = Some(defaultArg s.Seed seed + offset) })
            Some x
    | Points _ -> (match split with Train -> (let x, _, _ = mixtureData seed d in Some x) | Valid | Test -> None)
    | Mnist _ | WikiText2 _ | DataFile _ -> None

// ---- MNIST ----

/// The seed of the one fixed binarisation of MNIST's validation and test splits under dynamic binarisation (the training
/// split is drawn afresh at every use): every family and every run is evaluated on the same binary test images.
let evalBinarizationSeed = 20260UL

let mnistOptions (m: MnistSpec) (split: Split) =
    MnistOptions(
        BinarizationSeed = (if split <> m.Split && m.Pixels = DynamicBinary then Nullable evalBinarizationSeed else Nullable()),
        Split = (match split with Train -> MnistSplit.Train | Valid -> MnistSplit.Valid | Test -> MnistSplit.Test),
        Pixels =
            (match m.Pixels with
             | Continuous -> PixelTreatment.Continuous
             | StaticBinary -> PixelTreatment.StaticBinary
             | DynamicBinary -> PixelTreatment.DynamicBinary
             | Dequantized -> PixelTreatment.Dequantized),
        Subset = (if split = m.Split then Option.toNullable m.Subset else Option.toNullable m.EvalSubset),
        SubsetSeed =
            (match m.Draw with
             | Some(AtRandom(Some s)) when split = m.Split && m.Subset.IsSome -> Nullable s
             | Some(AtRandom None) when split = m.Split && m.Subset.IsSome ->
                 failwith "Data.randomSubset's seed is not resolved: run the experiment through Check.plan, which writes the experiment's seed into it"
             | _ -> Nullable()),
        ValidSize = m.ValidSize, Flatten = not m.AsImages, Pad = m.Pad)

/// The data set of a case's source for a split: MNIST's own splits; the training data itself otherwise.
let mnistSplit (m: MnistSpec) (split: Split) : MnistDataset = MnistDataset.Load(mnistOptions m split)


// ---- a user's files ----

/// A split of a data file as (N, D) float64 rows (None: the split holds no rows).
let fileSplit (seed: uint64) (f: FileSpec) (split: Split) : Tensor option =
    match DataFiles.load f with
    | Error m -> failwith m   // the checker reports it before a run starts
    | Ok l ->
        let idx = DataFiles.splitRows seed f l.Rows split
        if idx.Length = 0 then None
        else
            let v = Array.zeroCreate (idx.Length * l.Dim)
            for i, r in Array.indexed idx do Array.blit l.Values (r * l.Dim) v (i * l.Dim) l.Dim
            Some(Torch.Tensor<float>(v, [| int64 idx.Length; int64 l.Dim |])) // (N, D)

// ---- any vector source ----

/// A split of any source of real vectors as (N, D) float64 (images flattened; None: the source has no such split).
/// Mixture samples: Valid/Test are fresh samples; points: Train only; files: the seeded hold-out; MNIST: its splits.
let vectors (seed: uint64) (d: DataSpec) (split: Split) : Tensor option =
    match d with
    | MixtureSample _ | Points _ -> mixtureSplit seed d split
    | DataFile f -> fileSplit seed f split
    | Mnist m ->
        if split = Valid && m.ValidSize = 0 then None
        else
            use data = mnistSplit { m with AsImages = false; Pad = 0 } split
            use g = new Generator(seed + 3UL)
            Some(data.AllPixels(g).To(ScalarType.Float64))
    | WikiText2 _ -> None

/// A training set whose every batch gets fresh N(0, sigma^2) noise (Data.jitter), drawn with the batch's generator.
let jittered (sigma: float) (inner: IDataset) : IDataset =
    { new IDataset with
        member _.Count = inner.Count
        member _.ExampleShape = inner.ExampleShape
        member _.Batch(indices, generator) =
            if isNull generator then invalidOp "Data.jitter draws its noise with the batch's generator, and none was given"
            use x = inner.Batch(indices, generator)
            x + Torch.Randn(x.Shape, generator, x.Dtype) * sigma
        member _.Labels(indices) = inner.Labels(indices) }

/// The case's data per split for the gradient families: MNIST's own data sets (pixels drawn per batch), any other vector
/// source as float32 rows (the training split jittered afresh per batch under Data.jitter).
let caseData (seed: uint64) (d: DataSpec) : CaseData =
    match d with
    | Mnist m ->
        let cache = Collections.Generic.Dictionary<Split, MnistDataset>()
        let get s = (if not (cache.ContainsKey s) then cache.[s] <- mnistSplit m s); cache.[s] :> IDataset
        { Split = get; Train = m.Split; Pixels = Some m.Pixels; Dispose = fun () -> for x in cache.Values do x.Dispose() }
    | MixtureSample _ | Points _ | DataFile _ | WikiText2 _ ->
        let cache = Collections.Generic.Dictionary<Split, IDataset>()
        let get s =
            if not (cache.ContainsKey s) then
                match vectors seed d s with
                | Some x ->
                    let rows = TensorDataset(x.To(ScalarType.Float32)) :> IDataset // (N, D) float32
                    cache.[s] <- (match CheckData.jitterOf d with Some sigma when s = Train -> jittered sigma rows | _ -> rows)
                | None -> failwithf "this data has no %s split: evaluate on a split it has (a mixture sample has all three, a file those Data.holdout keeps)" (string s)
            cache.[s]
        { Split = get; Train = Train; Pixels = None; Dispose = ignore }
