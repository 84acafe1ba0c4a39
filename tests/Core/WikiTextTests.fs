/// WikiTextTests.fs: WikiText-2 for CSE 599i P8 — the word_language_model counts on the real files, the tokenisation rule on short texts, gm-hw1's windows, checksum and missing-file errors.
module GenDsl.Tests.Core.WikiTextTests

open System
open System.IO
open System.IO.Compression
open Xunit
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Tests.Support

// The real files come from data/wikitext-2 (found by walking up from the test binaries); WikiText.Load reads,
// checks and tokenises them once per process (about 1 s), later calls share the corpus.

let ``CSE599i P8: WikiText-2 has 33,278 word types and 2,088,628 / 217,646 / 245,569 tokens, counted as PyTorch's word_language_model`` () =
    let c = WikiText.Load()
    Assert.Equal(33_278, c.VocabSize)
    Assert.Equal(2_088_628, c.Tokens(WikiTextSplit.Train).Length)
    Assert.Equal(217_646, c.Tokens(WikiTextSplit.Valid).Length)
    Assert.Equal(245_569, c.Tokens(WikiTextSplit.Test).Length)
    // train.txt opens with a blank line, then " = Valkyria Chronicles III = ": <eos> is id 0, ids follow first appearance
    Assert.Equal<string list>([ "<eos>"; "="; "Valkyria"; "Chronicles"; "III" ], c.Words |> Seq.take 5 |> List.ofSeq)
    Assert.Equal<int[]>([| 0; 1; 2; 3; 4; 1; 0 |], c.Tokens(WikiTextSplit.Train).[0..6])
    // blank lines are one <eos> each: 36,718 lines in train, so 36,718 <eos> (data/wikitext-2/SOURCE.md)
    Assert.Equal(36_718, c.Tokens(WikiTextSplit.Train) |> Array.sumBy (fun i -> if i = 0 then 1 else 0))
    Assert.Same(c, WikiText.Load())                                                // cached per process

let ``CSE599i P8: tokenisation — whitespace runs split words, every line (blank ones too) ends in <eos>, ids in order of first appearance in train, valid and test words train lacks are <unk>`` () =
    let c = WikiTextCorpus.FromTexts(" a b  a \n\n\tc\u001fd\r\ne", "b f\r", "g a")
    // the vocabulary is train's (as issue 21 asks of a user's corpus); f and g, seen only in valid and test, are <unk>
    Assert.Equal<string list>([ "a"; "b"; "<eos>"; "c"; "d"; "e"; "<unk>" ], List.ofSeq c.Words)
    // lines: " a b  a ", "", "\tc\u001fd" (U+001F separates words, as Python's str.split), "e" (no final newline)
    Assert.Equal<int[]>([| 0; 1; 0; 2; 2; 3; 4; 2; 5; 2 |], c.Tokens(WikiTextSplit.Train))
    Assert.Equal<int[]>([| 1; 6; 2 |], c.Tokens(WikiTextSplit.Valid))                // "\r" ends a line; no empty line after it
    Assert.Equal<int[]>([| 6; 0; 2 |], c.Tokens(WikiTextSplit.Test))
    Assert.Equal("a b <eos> <unk>", c.Decode([ 0L; 1L; 2L; 6L ]))
    Assert.Equal<int64[]>([| 3L; 4L; 6L |], c.Encode("  c d f "))
    let closed = WikiTextCorpus.FromTexts("a b", "a", "b a")                       // valid and test add no word: no <unk>
    Assert.Equal<string list>([ "a"; "b"; "<eos>" ], List.ofSeq closed.Words)
    Assert.Throws<Collections.Generic.KeyNotFoundException>(fun () -> closed.Encode("zzz") |> ignore) |> ignore   // no <unk> in this vocabulary
    let w = WikiTextCorpus.FromTexts("x <unk> y", "", "")
    Assert.Equal<int64[]>([| 0L; 1L; 1L |], w.Encode("x never-seen <unk>"))

let ``CSE599i P8: gm-hw1's windows — example i is ids ic .. ic+c, consecutive windows share one id, 436 batches of 32 per epoch on train`` () =
    let stream = Array.init 23 id
    use w = new WikiTextWindows(stream, 5)
    Assert.Equal(4L, w.Count)                                                     // floor(22 / 5)
    Assert.Equal<int64[]>([| 6L |], w.ExampleShape)
    use s = Scope.Begin()
    let b = w.Batch([| 3L; 0L |], null)
    Assert.Equal<int64 list>([ 2L; 6L ], shape b)
    Assert.Equal<int64[]>(Array.append [| 15L .. 20L |] [| 0L .. 5L |], b.ToArray<int64>())
    let train = WikiText.Load().Tokens(WikiTextSplit.Train)
    use tw = new WikiTextWindows(train, 150)
    Assert.Equal(13_924L, tw.Count)
    Assert.Equal(436L, (tw.Count + 31L) / 32L)                                     // the notebook's "436 iterations/epoch"
    let last = tw.Batch([| tw.Count - 1L |], null).ToArray<int64>()
    Assert.Equal<int64[]>(train.[13_923 * 150 .. 13_924 * 150] |> Array.map int64, last)

let private tempCopy () =
    let src = WikiText.FindFolder()
    let d = Path.Combine(Path.GetTempPath(), "gendsl-wikitext-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    for f in Directory.GetFiles src do File.Copy(f, Path.Combine(d, Path.GetFileName f))
    d

let ``CSE599i P8: a WikiText file with the wrong content is refused, naming the file and both sha256 values; a missing one is named too`` () =
    let d = tempCopy ()
    try
        // valid.txt.gz holding the right text with one word changed
        let path = Path.Combine(d, "valid.txt.gz")
        let text = WikiText.ReadChecked(d, WikiTextSplit.Valid)
        do
            use f = File.Create path
            use z = new GZipStream(f, CompressionLevel.Fastest)
            let changed = text.Replace(" the ", " a ")
            Assert.NotEqual<string>(text, changed)
            let bytes = Text.Encoding.UTF8.GetBytes(changed)
            z.Write(bytes, 0, bytes.Length)
        let ex = Assert.Throws<InvalidDataException>(fun () -> WikiText.ReadChecked(d, WikiTextSplit.Valid) |> ignore)
        Assert.Contains(path, ex.Message)
        Assert.Contains("Valid split", ex.Message)
        Assert.Contains(WikiText.Sha256.[WikiTextSplit.Valid], ex.Message)
        Assert.Contains("git checkout", ex.Message)
        let ex2 = Assert.Throws<InvalidDataException>(fun () -> WikiText.Load(d) |> ignore)  // Load checks every file
        Assert.Contains("valid.txt.gz", ex2.Message)
        // not gzip at all
        File.WriteAllText(path, "hello")
        let ex3 = Assert.Throws<InvalidDataException>(fun () -> WikiText.ReadChecked(d, WikiTextSplit.Valid) |> ignore)
        Assert.Contains(path, ex3.Message)
        // missing
        File.Delete(Path.Combine(d, "test.txt.gz"))
        let ex4 = Assert.Throws<FileNotFoundException>(fun () -> WikiText.ReadChecked(d, WikiTextSplit.Test) |> ignore)
        Assert.Contains("test.txt.gz", ex4.Message)
        Assert.Contains("Test split", ex4.Message)
        // an unchanged plain .txt is accepted as well as the .gz
        File.WriteAllText(Path.Combine(d, "test.txt"), WikiText.ReadChecked(WikiText.FindFolder(), WikiTextSplit.Test))
        Assert.Equal(WikiText.Sha256.[WikiTextSplit.Test].Length, 64)
        WikiText.ReadChecked(d, WikiTextSplit.Test) |> ignore
    finally
        Directory.Delete(d, true)

let ``CSE599i P8: GENDSL_WIKITEXT points the loader at another folder, and a wrong one is reported`` () =
    let old = Environment.GetEnvironmentVariable WikiText.EnvVar
    try
        let d = WikiText.FindFolder()
        Environment.SetEnvironmentVariable(WikiText.EnvVar, d)
        Assert.Equal(d, WikiText.FindFolder())
        Environment.SetEnvironmentVariable(WikiText.EnvVar, "/nonexistent/wikitext")
        let ex = Assert.Throws<DirectoryNotFoundException>(fun () -> WikiText.FindFolder() |> ignore)
        Assert.Contains("GENDSL_WIKITEXT", ex.Message)
    finally
        Environment.SetEnvironmentVariable(WikiText.EnvVar, old)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.WikiTextTests" [
        Expecto.Tests.testCase "CSE599i P8: WikiText-2 has 33,278 word types and 2,088,628 / 217,646 / 245,569 tokens, counted as PyTorch's word_language_model" ``CSE599i P8: WikiText-2 has 33,278 word types and 2,088,628 / 217,646 / 245,569 tokens, counted as PyTorch's word_language_model``
        Expecto.Tests.testCase "CSE599i P8: tokenisation — whitespace runs split words, every line (blank ones too) ends in <eos>, ids in order of first appearance in train, valid and test words train lacks are <unk>" ``CSE599i P8: tokenisation — whitespace runs split words, every line (blank ones too) ends in <eos>, ids in order of first appearance in train, valid and test words train lacks are <unk>``
        Expecto.Tests.testCase "CSE599i P8: gm-hw1's windows — example i is ids ic .. ic+c, consecutive windows share one id, 436 batches of 32 per epoch on train" ``CSE599i P8: gm-hw1's windows — example i is ids ic .. ic+c, consecutive windows share one id, 436 batches of 32 per epoch on train``
        Expecto.Tests.testCase "CSE599i P8: a WikiText file with the wrong content is refused, naming the file and both sha256 values; a missing one is named too" ``CSE599i P8: a WikiText file with the wrong content is refused, naming the file and both sha256 values; a missing one is named too``
        Expecto.Tests.testCase "CSE599i P8: GENDSL_WIKITEXT points the loader at another folder, and a wrong one is reported" ``CSE599i P8: GENDSL_WIKITEXT points the loader at another folder, and a wrong one is reported``
    ]
