/// DataFileTests.fs: a user's data — .npy (float32, float64, uint8, int64) and CSV files read exactly, hostile files
/// (truncated, wrong dtype, NaN, ragged, missing, a word in a number's place) refused by check with a sentence naming
/// the file and nothing written; seeded hold-out splits and random subsets; a VAE trained on a user's .npy file.
module GenDsl.Tests.Dsl.DataFileTests

open System
open System.IO
open System.Text
open Xunit
open GenDsl.Dsl
open GenDsl.Tests.Support

/// An .npy file (format 1.0) of the given dtype descriptor and shape around raw little-endian data.
let npyBytes (descr: string) (shape: int list) (data: byte[]) =
    let dims = match shape with [ n ] -> sprintf "(%d,)" n | _ -> "(" + String.Join(", ", shape) + ")"
    let dict = sprintf "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" descr dims
    let pad = 64 - (10 + dict.Length + 1) % 64
    let header = dict + String(' ', pad % 64) + "\n"
    Array.concat [ [| 0x93uy |]; Encoding.ASCII.GetBytes "NUMPY"; [| 1uy; 0uy |]; BitConverter.GetBytes(uint16 header.Length); Encoding.ASCII.GetBytes header; data ]

let f32 (xs: float list) = xs |> List.map (fun x -> BitConverter.GetBytes(float32 x)) |> Array.concat
let f64 (xs: float list) = xs |> List.map (fun (x: float) -> BitConverter.GetBytes x) |> Array.concat

let private write (dir: string) (name: string) (bytes: byte[]) =
    let p = Path.Combine(dir, name)
    File.WriteAllBytes(p, bytes)
    p

let private loaded (d: DataSpec) = match d with DataFile f -> DataFiles.load f | _ -> failwith "not a file"

let ``npy files of float32, float64, uint8 and int64 are read as the same numbers, row-major`` () =
    let dir = newTempDir "npy"
    let xs = [ 1.0; 2.5; -3.0; 4.0; 0.0; 255.0 ]
    let files =
        [ write dir "a.npy" (npyBytes "<f4" [ 3; 2 ] (f32 xs))
          write dir "b.npy" (npyBytes "<f8" [ 3; 2 ] (f64 xs))
          write dir "c.npy" (npyBytes "<i8" [ 3; 2 ] (xs |> List.map (fun x -> BitConverter.GetBytes(int64 x)) |> Array.concat))
          write dir "d.npy" (npyBytes "|u1" [ 3; 2 ] [| 1uy; 2uy; 3uy; 4uy; 0uy; 255uy |]) ]
    for i, p in List.indexed files do
        match loaded (Data.npy p) with
        | Error m -> failwith m
        | Ok l ->
            Assert.Equal(3, l.Rows)
            Assert.Equal(2, l.Dim)
            // int64 cannot hold 2.5 (its file holds 2), uint8 neither 2.5 nor -3 (its file holds 1, 2, 3, 4, 0, 255).
            let want =
                match i with
                | 2 -> [| 1.0; 2.0; -3.0; 4.0; 0.0; 255.0 |]
                | 3 -> [| 1.0; 2.0; 3.0; 4.0; 0.0; 255.0 |]
                | _ -> Array.ofList xs
            Assert.True((want = l.Values), sprintf "file %d: %A" i l.Values)
    // Data.scale divides every value.
    match loaded (Data.npy files.[3] |> Data.scale 255.0) with
    | Ok l -> Assert.Equal(1.0, l.Values.[5])
    | Error m -> failwith m
    Directory.Delete(dir, true)

let ``a CSV of numbers is read with its header skipped, and its faults name the row and column`` () =
    let dir = newTempDir "csv"
    let good = Path.Combine(dir, "good.csv")
    File.WriteAllText(good, "x,y\n1,2\n3.5,-4e-1\n")
    match loaded (Data.csv good |> Data.header) with
    | Ok l -> Assert.Equal<float[]>([| 1.0; 2.0; 3.5; -0.4 |], l.Values)
    | Error m -> failwith m
    let bad (name: string) (text: string) (want: string) =
        let p = Path.Combine(dir, name)
        File.WriteAllText(p, text)
        match loaded (Data.csv p) with
        | Ok _ -> failwithf "%s was accepted" name
        | Error m ->
            Assert.Contains(sprintf "data file '%s'" p, m)
            Assert.Contains(want, m)
    bad "ragged.csv" "1,2\n3,4\n5\n" "row 3 (line 3) has 1 values, the first row has 2"
    bad "word.csv" "1,2\n3,x\n" "row 2 (line 2), column 2: 'x' is not a number"
    bad "header.csv" "a,b\n1,2\n" "(if the first row names the columns, add Data.header)"
    bad "nan.csv" "1,2\nnan,4\n" "row 2, column 1 is NaN"
    Directory.Delete(dir, true)

let ``hostile npy files are refused with what is wrong: truncated, wrong dtype, NaN, Fortran order, not npy, missing`` () =
    let dir = newTempDir "npy-bad"
    let bad (name: string) (bytes: byte[]) (want: string) =
        let p = write dir name bytes
        match loaded (Data.npy p) with
        | Ok _ -> failwithf "%s was accepted" name
        | Error m -> Assert.True(m.Contains want, m)
    bad "short.npy" (npyBytes "<f4" [ 3; 2 ] (f32 [ 1.0; 2.0; 3.0 ])) "it is truncated: shape (3, 2) needs 24 bytes of data, the file holds 12"
    bad "int32.npy" (npyBytes "<i4" [ 2 ] (Array.zeroCreate 8)) "its dtype is '<i4'"
    bad "nan.npy" (npyBytes "<f8" [ 2; 2 ] (f64 [ 1.0; 2.0; nan; 4.0 ])) "row 2, column 1 is NaN"
    bad "text.npy" (Encoding.ASCII.GetBytes "1,2\n3,4\n") "not an .npy file"
    let fortran = Encoding.Latin1.GetString(npyBytes "<f4" [ 1; 2 ] (f32 [ 1.0; 2.0 ])).Replace("False", "True ")
    bad "fortran.npy" (Encoding.Latin1.GetBytes fortran) "Fortran order"
    match loaded (Data.npy (Path.Combine(dir, "none.npy"))) with
    | Ok _ -> failwith "a missing file was accepted"
    | Error m -> Assert.Contains("does not exist", m)
    Directory.Delete(dir, true)

let ``gendsl check and run refuse a bad data file with exit 1, the file named, and no run folder`` () =
    let dir = newTempDir "npy-cli"
    let p = write dir "short.npy" (npyBytes "<f4" [ 10; 2 ] (f32 [ 1.0; 2.0 ]))
    let script = Path.Combine(dir, "x.fsx")
    File.WriteAllText(script, sprintf "open GenDsl.Dsl\nlet experiment = Experiment.create \"npy\" |> Experiment.withCase (Case.create \"c\" (Data.npy @\"%s\") (Model.gmm 2) [ Fit.em 3 ])\n" p)
    let out = Path.Combine(dir, "runs")
    for cmd in [ "check"; "run" ] do
        let code, _, err = cli ([ cmd; script ] @ (if cmd = "run" then [ "-o"; out ] else []))
        Assert.Equal(1, code)
        Assert.Contains(sprintf "case 'c': data file '%s': it is truncated" p, err)
    Assert.False(Directory.Exists out && Directory.GetFileSystemEntries(out).Length > 0, "a run folder was made")
    Directory.Delete(dir, true)

let ``a file's hold-out splits and random subset come from the seed: disjoint, of the stated sizes, and reproducible`` () =
    let f = { Path = "unused"; Format = Npy; Header = false; Scale = 1.0; ValidFraction = 0.2; TestFraction = 0.1; Subset = None; Jitter = None }
    let rows seed s = DataFiles.splitRows seed f 100 s
    let tr, va, te = rows 1UL Train, rows 1UL Valid, rows 1UL Test
    Assert.Equal((70, 20, 10), (tr.Length, va.Length, te.Length))
    Assert.Equal(100, Array.concat [ tr; va; te ] |> Array.distinct |> Array.length)
    Assert.Equal<int[]>(tr, rows 1UL Train)
    Assert.NotEqual<int[]>(te, rows 2UL Test)
    // A subset of 30 training rows is drawn at random, not the first 30.
    let sub = DataFiles.splitRows 1UL { f with Subset = Some 30 } 100 Train
    Assert.Equal(30, sub.Length)
    Assert.True(Set.isSubset (set sub) (set tr))
    Assert.NotEqual<int[]>(Array.sub tr 0 30, sub)

let ``a VAE trains on a user's npy file of points with a Gaussian decoder, evaluated on its held-out rows`` () =
    let dir = newTempDir "npy-vae"
    // 400 points of two clusters at (+-2, 0), float32.
    let g = Random(7)
    let pts = [ for i in 0 .. 399 -> [ (if i % 2 = 0 then 2.0 else -2.0) + 0.3 * (g.NextDouble() - 0.5); 0.3 * (g.NextDouble() - 0.5) ] ] |> List.concat
    let p = write dir "pts.npy" (npyBytes "<f4" [ 400; 2 ] (f32 pts))
    let e =
        Experiment.create "npy-vae"
        |> Experiment.seed 2UL
        |> Experiment.withCase (
            Case.create "v" (Data.npy p |> Data.holdout 0.1 0.1) (Model.vaeMlp 2 16 2 |> Model.likelihood (GaussianPixels 0.5))
                [ Fit.adam 1e-2 (Steps 60) |> Fit.batch 40 |> Fit.objective Elbo |> Fit.evalOn [ Valid ] |> Fit.evalEvery (Steps 20) ])
        |> Experiment.metrics [ NegElbo; Nll ]
    match Check.plan e with
    | Error es -> failwithf "%A" (es |> List.map Check.message)
    | Ok plan ->
        Assert.Equal(320, plan.Cases.Head.N)
        let root = Path.Combine(dir, "runs")
        let o = Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } plan
        Assert.Equal(None, o.Error)
        let s = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(o.Folder, "summary.json")))
        let negElbo = s.["cases"].[0].["fits"].[0].["metrics"].["neg_elbo"].GetValue<float>()
        // -ELBO per 2-D point under a sigma = 0.5 decoder: >= the Gaussian's constant 2 (log 0.5 + log 2 pi / 2) = 0.45,
        // and below the untrained decoder's ~ (4 + 0.5) / (2 * 0.25) + 0.45 = 9.5 after 60 steps.
        Assert.True(negElbo > 0.45 && negElbo < 9.5, sprintf "neg elbo %g" negElbo)
        let curves = File.ReadAllText(Path.Combine(o.Folder, "metrics.csv"))
        Assert.Contains("valid neg_elbo", curves)
    Directory.Delete(dir, true)

let ``pairing is by shape: a Bernoulli decoder on points, a Transformer on vectors and a GMM on tokens are check errors saying what the family takes`` () =
    let msgs (c: Case) =
        match Check.plan (Experiment.create "x" |> Experiment.withCase c) with
        | Ok _ -> failwith "accepted"
        | Error es -> es |> List.map Check.message |> String.concat "\n"
    Assert.Contains("a Bernoulli decoder models pixels in [0, 1], not points: use Model.likelihood (GaussianPixels 0.1)",
                    msgs (Case.create "c" (Data.ring 4 2.0 100) (Model.vaeMlp 2 8 2) [ Fit.adam 1e-3 (Steps 2) |> Fit.objective Elbo ]))
    Assert.Contains("a Transformer LM model takes token sequences (Data.wikiText2 150, Data.textCorpus train valid test 150); this data holds real vectors",
                    msgs (Case.create "c" (Data.ring 4 2.0 100) (Model.transformerLm 1 1) [ Fit.adam 1e-3 (Steps 2) ]))
    Assert.Contains("a Gaussian mixture model takes real vectors",
                    msgs (Case.create "c" (Data.wikiText2 10) (Model.gmm 2) [ Fit.em 2 ]))
    // NICE, the VAE, the KDE and a GMM on vectors of any source pass.
    for c in [ Case.create "n" (Data.ring 4 2.0 100) (Model.nice |> Model.niceSize 2 8 1) [ Fit.adam 1e-3 (Steps 2) ]
               Case.create "k" (Data.mnist |> Data.subset 100) (Model.kde |> Model.bandwidth Scott) [ Fit.closedForm ]
               Case.create "g" (Data.mnist |> Data.subset 100) (Model.gmm 2) [ Fit.em 2 ] ] do
        match Check.plan (Experiment.create "x" |> Experiment.withCase c) with
        | Ok _ -> ()
        | Error es -> failwithf "%s: %A" c.Label (es |> List.map Check.message)

let ``the Transformer LM trains on a user's small text corpus tokenised as WikiText, and a missing file is a check error`` () =
    let dir = newTempDir "text"
    let file (name: string) (times: int) =
        let p = Path.Combine(dir, name)
        File.WriteAllText(p, String.replicate times " the cat sat on the mat \n")
        p
    let train, valid, test = file "train.txt" 200, file "valid.txt" 20, file "test.txt" 20
    let lm =
        match Model.transformerLm 1 2 with
        | TransformerLm l -> TransformerLm { l with Width = 32; HeadDim = 16; FeedForward = 64 }
        | m -> m
    let e =
        Experiment.create "text"
        |> Experiment.seed 4UL
        |> Experiment.withCase (Case.create "lm" (Data.textCorpus train valid test 8) lm [ Fit.adam 1e-2 (Steps 60) |> Fit.batch 8 ])
        |> Experiment.metrics [ Nll; Perplexity ]
    match Check.plan e with
    | Error es -> failwithf "%A" (es |> List.map Check.message)
    | Ok plan ->
        // 200 lines of 6 words + <eos> = 1400 tokens in windows of 9: (1400 - 1) / 8 = 174 windows.
        Assert.Equal(174, plan.Cases.Head.N)
        let o = Interpret.run { Runs.defaults with OutputRoot = Path.Combine(dir, "runs"); Threads = Some 1 } plan
        Assert.Equal(None, o.Error)
        let s = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(o.Folder, "summary.json")))
        let nll = s.["cases"].[0].["fits"].[0].["metrics"].["nll"].GetValue<float>()
        // The vocabulary is 6 types (the, cat, sat, on, mat, <eos>): a uniform model scores ln 6 = 1.79 nats per token,
        // the untrained one about as much; the text is periodic, so 60 steps take the test NLL well below it.
        Assert.True(nll < 1.0, sprintf "test nats/token %g" nll)
    File.Delete test
    match Check.plan e with
    | Ok _ -> failwith "a missing text file passed the check"
    | Error es -> Assert.Contains(sprintf "text file '%s' does not exist" test, es |> List.map Check.message |> String.concat "\n")
    Directory.Delete(dir, true)

let ``a KDE and a GMM fit MNIST as 784-dimensional vectors (before: refused as welded to points)`` () =
    let root = newTempDir "kde-mnist"
    let data = Data.mnist |> Data.subset 200 |> Data.evalSubset 100
    let e =
        Experiment.create "kde-mnist"
        |> Experiment.withCases
            [ Case.create "kde" data (Model.kde |> Model.bandwidth Scott) [ Fit.closedForm ]
              Case.create "gmm" data (Model.gmm 2 |> Model.covariance Spherical) [ Fit.em 3 ] ]
        |> Experiment.metrics [ TestNll; Nll ]
    match Check.plan e with
    | Error es -> failwithf "%A" (es |> List.map Check.message)
    | Ok plan ->
        Assert.Equal<(int * int) list>([ 200, 784; 200, 784 ], plan.Cases |> List.map (fun c -> c.N, c.Dim))
        let o = Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } plan
        Assert.Equal(None, o.Error)
        let s = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(o.Folder, "summary.json")))
        for i in 0 .. 1 do
            let v = s.["cases"].[i].["fits"].[0].["metrics"].["test_nll"].GetValue<float>()
            Assert.True(Double.IsFinite v, sprintf "case %d: test nll %g" i v)
    Directory.Delete(root, true)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.DataFileTests" [
        Expecto.Tests.testCase "npy files of float32, float64, uint8 and int64 are read as the same numbers, row-major" ``npy files of float32, float64, uint8 and int64 are read as the same numbers, row-major``
        Expecto.Tests.testCase "a CSV of numbers is read with its header skipped, and its faults name the row and column" ``a CSV of numbers is read with its header skipped, and its faults name the row and column``
        Expecto.Tests.testCase "hostile npy files are refused with what is wrong: truncated, wrong dtype, NaN, Fortran order, not npy, missing" ``hostile npy files are refused with what is wrong: truncated, wrong dtype, NaN, Fortran order, not npy, missing``
        Expecto.Tests.testCase "gendsl check and run refuse a bad data file with exit 1, the file named, and no run folder" ``gendsl check and run refuse a bad data file with exit 1, the file named, and no run folder``
        Expecto.Tests.testCase "a file's hold-out splits and random subset come from the seed: disjoint, of the stated sizes, and reproducible" ``a file's hold-out splits and random subset come from the seed: disjoint, of the stated sizes, and reproducible``
        Expecto.Tests.testCase "a VAE trains on a user's npy file of points with a Gaussian decoder, evaluated on its held-out rows" ``a VAE trains on a user's npy file of points with a Gaussian decoder, evaluated on its held-out rows``
        Expecto.Tests.testCase "pairing is by shape: a Bernoulli decoder on points, a Transformer on vectors and a GMM on tokens are check errors saying what the family takes" ``pairing is by shape: a Bernoulli decoder on points, a Transformer on vectors and a GMM on tokens are check errors saying what the family takes``
        Expecto.Tests.testCase "the Transformer LM trains on a user's small text corpus tokenised as WikiText, and a missing file is a check error" ``the Transformer LM trains on a user's small text corpus tokenised as WikiText, and a missing file is a check error``
        Expecto.Tests.testCase "a KDE and a GMM fit MNIST as 784-dimensional vectors (before: refused as welded to points)" ``a KDE and a GMM fit MNIST as 784-dimensional vectors (before: refused as welded to points)``
    ]
