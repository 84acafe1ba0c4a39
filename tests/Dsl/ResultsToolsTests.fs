/// ResultsToolsTests.fs: issue 24's tools on tiny real runs — `export` (a section per README seed problem, every
/// linked image present at the stated size, the command and commit named), `compare` (overlaid curves and the config
/// difference, in Chromium), the live report (RUNNING with a partial curve, then the final report; interrupted and
/// killed runs never look complete) and `watch`.
module GenDsl.Tests.Dsl.ResultsToolsTests

open System
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions
open Xunit
open GenDsl.Dsl
open GenDsl.Cli
open GenDsl.Tests.Support

let private tempDir () = newTempDir "results"

/// The DOM after scripts ran for `budgetMs` of virtual time, from headless Debian chromium. (Virtual time moves
/// Date.now too: the live page's staleness check sees the budget as time passed.)
let private dom (budgetMs: int) (html: string) =
    let profile = tempDir ()
    let args =
        [ "--headless"; "--no-sandbox"; "--disable-gpu"; "--disable-quic"; "--no-first-run"; "--disable-background-networking"
          "--disable-component-update"; "--disable-sync"; sprintf "--virtual-time-budget=%d" budgetMs; "--user-data-dir=" + profile
          "--dump-dom"; Uri(html).AbsoluteUri ]
    let psi = ProcessStartInfo("/usr/bin/chromium", args, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    use p = Process.Start psi
    p.StandardError.ReadToEndAsync() |> ignore
    let out = p.StandardOutput.ReadToEnd()
    if not (p.WaitForExit 120000) then p.Kill true; failwith "chromium did not finish in 120 s"
    try Directory.Delete(profile, true) with _ -> ()
    out

/// The P7 script reduced to a few steps (sgd.steps = `sgd`), run in `root` with the given progress and command.
let private p7 (root: string) (sgd: int) (progress: Runs.IProgress) =
    let script = Path.Combine(repoRoot (), "experiments", "cse599i_hw1_p7_gmm.fsx")
    let exps = match ScriptHost.load script with Ok xs -> xs | Error m -> failwithf "%A" m
    let sets = [ "data.n=300"; "gd.steps=4"; sprintf "sgd.steps=%d" sgd; "em.iterations=4" ]
    let plan = match Settings.planWith sets exps.Head with Ok p -> p | Error errs -> failwithf "%A" errs
    let command = "gendsl run " + script + " " + String.Join(" ", sets |> List.map (fun s -> "--set " + s))
    Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1; Progress = progress; Script = Some script; Command = Some command } plan

let private progressWith (onStep: string -> int -> unit) =
    { new Runs.IProgress with
        member _.Begin(_, _) = ()
        member _.Step(task, k, _) = onStep task k
        member _.End _ = () }

let private git (args: string) =
    let psi = ProcessStartInfo("git", "-C " + repoRoot () + " " + args, RedirectStandardOutput = true, UseShellExecute = false)
    use p = Process.Start psi
    let o = p.StandardOutput.ReadToEnd().Trim()
    p.WaitForExit()
    o

/// The images a Markdown page links (![..](x) and [SVG](x)), relative to the page's folder.
let private links (page: string) =
    [ for m in Regex.Matches(File.ReadAllText page, @"\]\(([^)]+\.(?:png|svg))\)") -> m.Groups.[1].Value ]

let ``export: every README seed problem has a section, every linked PNG and SVG exists at 1280x800 and 640x400, and the run's command and commit are named`` () =
    let dir = tempDir ()
    let root = Path.Combine(dir, "runs")
    let run = p7 root 20 Runs.silent
    Assert.Equal(None, run.Error)
    // An unfinished folder is skipped when a root is scanned, and refused when named.
    let stale = Path.Combine(root, "cse599i_hw1_p7_gmm", "20000101-000000")
    Directory.CreateDirectory stale |> ignore
    File.WriteAllText(Path.Combine(stale, "config.json"), "{}")
    File.WriteAllText(Path.Combine(stale, "INTERRUPTED"), "")
    let figures = Path.Combine(dir, "docs", "results")
    let page = Path.Combine(dir, "docs", "results.md")
    let readme = Path.Combine(repoRoot (), "README.md")
    let code, out, err = cli [ "export"; stale; "--to"; figures; "--readme"; readme ]
    Assert.Equal(1, code)
    Assert.Contains("interrupted, not finished", err)
    Assert.False(File.Exists page, "a refused export writes nothing")
    let code, out, err = cli [ "export"; root; "--to"; figures; "--readme"; readme ]
    Assert.True((code = 0), sprintf "export failed (%d): %s %s" code out err)
    let text = File.ReadAllText page
    let problems = Export.problems (File.ReadAllText readme)
    Assert.True(problems.Length >= 13, sprintf "the README's table lists %d problems" problems.Length)
    for p in problems do
        Assert.Contains(sprintf "## %s — `%s`" p.Problem p.Script, text)
    Assert.Equal(problems.Length, Regex.Matches(text, "(?m)^## .* — `experiments/").Count)
    // Problems without a run say so; P7's section has its numbers, answers, command and commit.
    Assert.Equal(problems.Length - 1, Regex.Matches(text, @"\*\*No run of this problem was exported\.\*\*").Count)
    Assert.Contains("gendsl run experiments/cse599i_hw1_p7_gmm.fsx --set data.n=300", text)
    Assert.Contains(sprintf "at commit `%s`" (git "rev-parse HEAD"), text)
    Assert.Contains("*P7 (b–d): what negative log-likelihood", text)
    Assert.Contains("20000101-000000: interrupted, not exported", text)
    Assert.DoesNotContain(dir, text)
    // Every image the page links exists; each figure as PNG (1280 x 800) and SVG (640 x 400).
    let ls = links page
    let nFigures = Directory.GetFiles(Path.Combine(run.Folder, "plots"), "*.json").Length
    Assert.Equal(2 * nFigures, ls.Length)
    for l in ls do
        let f = Path.Combine(Path.GetDirectoryName page, l)
        Assert.True(File.Exists f, sprintf "%s is linked but missing" l)
        if l.EndsWith ".png" then Assert.Equal(Some(1280, 800), FigureFiles.pngSize f)
        else Assert.Equal(Some(640, 400), FigureFiles.svgSize f)
    // The PNG opens in a browser at its size.
    let png = ls |> List.find (fun l -> l.EndsWith ".png")
    let html = Path.Combine(dir, "docs", "img.html")
    File.WriteAllText(html, sprintf "<img id=i src=\"%s\" onload=\"document.title=this.naturalWidth+'x'+this.naturalHeight\">" png)
    Assert.Contains("<title>1280x800</title>", dom 3000 html)
    // What export keeps beside the figures makes the exported folder a source: exported alone (the run folder gone),
    // it gives the same page and the same files, its figures copied rather than drawn, and nothing kept names a folder
    // of this machine.
    Directory.Delete(root, true)
    let again = Path.Combine(dir, "again", "results")
    let code, out, err = cli [ "export"; figures; "--to"; again; "--readme"; readme ]
    Assert.True((code = 0), sprintf "re-export failed (%d): %s %s" code out err)
    Assert.Contains("(1 exported before, copied as they are), drawing 0 figure(s)", out)
    let withoutSkipped (t: string) = Regex.Replace(t, @"(?s)## Folders not exported.*", "")
    Assert.Equal(withoutSkipped text, withoutSkipped (File.ReadAllText(again + ".md")))
    let kept = Directory.GetFiles(figures, "*", SearchOption.AllDirectories)
    Assert.Equal(2 * nFigures + 4, kept.Length)                                 // + summary, config, provenance, export.json
    for f in kept do
        let g = Path.Combine(again, Path.GetRelativePath(figures, f))
        Assert.True(File.Exists g && File.ReadAllBytes g = File.ReadAllBytes f, sprintf "%s differs after re-export" g)
        if f.EndsWith ".json" then
            Assert.DoesNotContain(dir, File.ReadAllText f)
            Assert.DoesNotContain(repoRoot (), File.ReadAllText f)
    try Directory.Delete(dir, true) with _ -> ()

let ``export keeps a run exported before it kept numbers as the page showed it: its section verbatim, its rows in the table across runs until a newer run of the case; paths are cut from what it keeps`` () =
    let parse (s: string) = System.Text.Json.Nodes.JsonNode.Parse s
    let table : Export.Problem = { Name = "likelihood_table_mnist"; Script = "experiments/likelihood_table_mnist.fsx"; Problem = "zoo"; Produces = "" }
    let section = "### Run `likelihood_table_mnist_binary/20260101-000000`\n\n- command: `gendsl run experiments/likelihood_table_mnist.fsx --case made --case bmm`\n\nWords as written | then.\n"
    let legacy : ExportRuns.Run =
        { Folder = ""; Experiment = "likelihood_table_mnist_binary"; Stamp = "20260101-000000"; Summary = System.Text.Json.Nodes.JsonObject(); Config = System.Text.Json.Nodes.JsonObject()
          Provenance = []; StepSeconds = Map.empty; Figures = []; Exported = Some ""
          Legacy = Some { Section = section; Script = Some table.Script; Cases = [ "made"; "bmm" ]; Notes = [ "EXACT: as written." ]
                          Columns = [ "case"; "fit"; "nll"; "parameters"; "epochs"; "seconds"; "seconds per epoch"; "run" ]
                          Rows = [ Map.ofList [ "case", "made"; "fit", "adam"; "nll", "85.3517"; "parameters", "1,000"; "epochs", "50"; "seconds", "3078"; "seconds per epoch", "62"; "run", "`20260101-000000`" ]
                                   Map.ofList [ "case", "bmm"; "fit", "em"; "nll", "144.12"; "parameters", "7,850"; "epochs", "— (100 iterations)"; "seconds", "17 †"; "seconds per epoch", ""; "run", "`20260101-000000`" ] ] } }
    let fresh (stamp: string) (label: string) : ExportRuns.Run =
        { Folder = ""; Experiment = "likelihood_table_mnist_binary"; Stamp = stamp
          Summary = parse (sprintf """{"cases":[{"label":"%s","n":60000,"fits":[{"fit":"adam","iterations":938,"seconds":100,"metrics":{"nll":84.5,"bits_per_dim":0.156},"parameters":2000}]}]}""" label)
          Config = parse (sprintf """{"cases":[{"label":"%s","fits":[{"name":"adam","fitter":{"kind":"gradient","batch":128}}]}]}""" label)
          Provenance = [ { Command = "gendsl run experiments/likelihood_table_mnist.fsx --case " + label; Commit = ""; Dirty = false; At = ""; Resumed = false } ]
          StepSeconds = Map.empty; Figures = []; Exported = None; Legacy = None }
    let page = Export.page [ table ] [ legacy; fresh "20260102-000000" "pixelcnn" ] "results" []
    Assert.Contains(section, page)                                                 // verbatim, under its problem
    Assert.Contains("| zoo | `experiments/likelihood_table_mnist.fsx` | 2 |", page)
    Assert.Contains("| case | fit | nll | bits_per_dim | parameters | epochs | seconds | seconds per epoch | run |", page)
    Assert.Contains("| made | adam | 85.3517 |  | 1,000 | 50 | 3078 | 62 | `20260101-000000` |", page)
    Assert.Contains("| bmm | em | 144.12 |  | 7,850 | — (100 iterations) | 17 † |  | `20260101-000000` |", page)
    Assert.Contains("| pixelcnn | adam | 84.5 | 0.156 | 2,000 | 2 | 100 | 50 | `20260102-000000` |", page)
    Assert.Contains("† a resumed run", page)
    Assert.Contains("> EXACT: as written.", page)
    // A newer run of made takes its row; the legacy run keeps bmm's and its section.
    let page = Export.page [ table ] [ legacy; fresh "20260102-000000" "pixelcnn"; fresh "20260103-000000" "made" ] "results" []
    Assert.Contains("| made | adam | 84.5 | 0.156 | 2,000 | 2 | 100 | 50 | `20260103-000000` |", page)
    Assert.DoesNotContain("| made | adam | 85.3517 |", page)
    Assert.Contains("| bmm | em | 144.12 |", page)
    Assert.Contains(section, page)
    // Paths in what export keeps: a script's from experiments/ on, another's last name; a lone slash is words.
    Assert.Equal("gendsl run experiments/x.fsx --set data.file=…/ring.csv: nll / (784 ln 2) in bits/dim",
                 Export.scrubPaths "gendsl run /home/u/gendsl/experiments/x.fsx --set data.file=/home/u/data/ring.csv: nll / (784 ln 2) in bits/dim")

let ``docs/results.md: every README seed problem has a section and every image it links exists`` () =
    let page = Path.Combine(repoRoot (), "docs", "results.md")
    Assert.True(File.Exists page, "docs/results.md is missing: gendsl export <run folders> --to docs/results")
    let text = File.ReadAllText page
    for p in Export.problems (File.ReadAllText(Path.Combine(repoRoot (), "README.md"))) do
        Assert.Contains(sprintf "## %s — `%s`" p.Problem p.Script, text)
    for l in links page do
        let f = Path.Combine(Path.GetDirectoryName page, l)
        Assert.True(File.Exists f, sprintf "docs/results.md links %s, which is missing" l)
        if l.EndsWith ".png" then Assert.True((FigureFiles.pngSize f).IsSome, sprintf "%s is not a PNG" l)
        else Assert.True((FigureFiles.svgSize f).IsSome, sprintf "%s is not an SVG" l)
    Assert.Contains("docs/results.md", File.ReadAllText(Path.Combine(repoRoot (), "README.md")))

let ``compare: two tiny P7 runs give one page with both runs' curves overlaid and the sgd.steps difference, in Chromium; runs sharing no metric are refused, runs of another experiment sharing one are compared on it`` () =
    let dir = tempDir ()
    let a = p7 (Path.Combine(dir, "a")) 20 Runs.silent
    let b = p7 (Path.Combine(dir, "b")) 30 Runs.silent
    let page = Path.Combine(dir, "cmp", "compare.html")
    let code, out, err = cli [ "compare"; a.Folder; b.Folder; "-o"; page ]
    Assert.True((code = 0), sprintf "compare failed (%d): %s %s" code out err)
    let d = dom 15000 page
    // The config difference: only the changed leaf, with both values.
    let diff = Regex.Match(d, "<table id=\"config-differences\">(.*?)</table>", RegexOptions.Singleline)
    Assert.True(diff.Success, "no configuration differences table")
    let rows = Regex.Matches(diff.Groups.[1].Value, "<tr><td>") |> Seq.length
    Assert.Equal(1, rows)
    Assert.Matches("sgd[^<]*steps", diff.Groups.[1].Value)
    Assert.Contains("<code>20</code>", diff.Groups.[1].Value)
    Assert.Contains("<code>30</code>", diff.Groups.[1].Value)
    // Curves drawn by plotly, each run's sgd curve in one figure's legend.
    let plots = Regex.Split(d, "id=\"curve-") |> Array.skip 1
    Assert.True(plots.Length >= 2, sprintf "%d curve figures" plots.Length)
    for p in plots do Assert.Contains("class=\"main-svg\"", p)
    let sa, sb = Path.GetFileName a.Folder, Path.GetFileName b.Folder
    // (Runs made in one second share a stamp; compare then numbers them, so two legend entries still differ.)
    Assert.True(plots |> Array.exists (fun p -> p.Contains(sa + " · p7/sgd") && p.Contains(sb + " · p7/sgd") && Regex.Matches(p, "legendtext[^>]*>[^<]*· p7/sgd<").Count = 2),
                "no figure overlays both runs' sgd curves")
    Assert.Contains("<table id=\"finals\">", d)
    // A run of another experiment that logs none of P7's metrics is refused.
    let study = Path.Combine(dir, "kl", "x", "1")
    Directory.CreateDirectory study |> ignore
    File.WriteAllText(Path.Combine(study, "config.json"), "{\"name\": \"kl\"}")
    File.WriteAllText(Path.Combine(study, "metrics.jsonl"), "{\"case\":\"c\",\"fit\":\"f\",\"step\":1,\"seconds\":0,\"kl\":0.5}\n")
    let code, _, err = cli [ "compare"; a.Folder; study; "-o"; page ]
    Assert.Equal(1, code)
    Assert.Contains("different experiments", err)
    Assert.Contains("share no metric", err)
    // One that logs P7's nll is compared on it: both experiments named, the shared metric's curves overlaid.
    let ring = Path.Combine(dir, "ring", "x", "2")
    Directory.CreateDirectory ring |> ignore
    File.WriteAllText(Path.Combine(ring, "config.json"), "{\"name\": \"ring\"}")
    File.WriteAllText(Path.Combine(ring, "metrics.jsonl"), "{\"case\":\"c\",\"fit\":\"f\",\"step\":1,\"seconds\":0,\"nll\":4.5}\n{\"case\":\"c\",\"fit\":\"f\",\"step\":2,\"seconds\":0,\"nll\":4.2}\n")
    let shared = Path.Combine(dir, "cmp", "shared.html")
    let code, out, err = cli [ "compare"; a.Folder; ring; "-o"; shared ]
    Assert.True((code = 0), sprintf "compare of runs sharing nll failed (%d): %s %s" code out err)
    let html = File.ReadAllText shared
    Assert.Contains("cse599i_hw1_p7_gmm/" + sa, html)
    Assert.Contains("ring/2", html)
    Assert.Contains("nll: every run", html)
    Assert.DoesNotContain("mean_ll: every run", html)                          // P7's own metric, not shared
    let code, _, err = cli [ "compare"; a.Folder ]
    Assert.Equal(1, code)
    Assert.Contains("at least two run folders", err)
    try Directory.Delete(dir, true) with _ -> ()

let ``live report: mid-run report.html shows RUNNING with step, ETA and a partial curve in Chromium, then becomes the final report`` () =
    let dir = tempDir ()
    let mutable seen = None
    let onStep (task: string) (k: int) =
        if task.EndsWith "sgd" && k = 30 && seen.IsNone then
            // One heartbeat (5 s) later live.js holds this step and the pace so far.
            Threading.Thread.Sleep 5500
            let folder = Directory.GetDirectories(Path.Combine(dir, "cse599i_hw1_p7_gmm")) |> Array.exactlyOne
            let live = (Live.read folder).Value
            seen <- Some(dom 1500 (Path.Combine(folder, "report.html")), live.ToJsonString())
    let run = p7 dir 60 (progressWith onStep)
    Assert.Equal(None, run.Error)
    let d, live = seen.Value
    Assert.Contains("data-state=\"RUNNING\"", d)
    Assert.Matches("RUNNING — p7/sgd step \\d+ of 60, ETA \\d\\d:\\d\\d:\\d\\d", d)
    Assert.Contains("class=\"main-svg\"", d)
    Assert.DoesNotContain("Final metrics", d)
    // The partial curve: sgd's points so far, fewer than its 61.
    let n = Regex.Match(live, "\"task\":\"p7/sgd\".*?\"x\":\\[([^\\]]*)\\]").Groups.[1].Value.Split(',').Length
    Assert.True(n >= 20 && n < 61, sprintf "%d sgd points in live.js at step 30" n)
    let final = File.ReadAllText(Path.Combine(run.Folder, "report.html"))
    Assert.Contains("Final metrics", final)
    Assert.DoesNotContain("live-state", final)
    Assert.Contains("\"state\":\"DONE\"", File.ReadAllText(Path.Combine(run.Folder, "live.js")))
    try Directory.Delete(dir, true) with _ -> ()

let ``live report: an interrupted run's report says INTERRUPTED and a killed one's says KILLED once its heartbeat stops; neither looks complete`` () =
    let dir = tempDir ()
    RunFolder.clearStop ()
    let run = p7 dir 60 (progressWith (fun task k -> if task.EndsWith "sgd" && k = 10 then RunFolder.requestStop 2))
    RunFolder.clearStop ()
    Assert.Equal(Some 2, run.Interrupted)
    let report = Path.Combine(run.Folder, "report.html")
    let d = dom 1500 report
    Assert.Contains("data-state=\"INTERRUPTED\"", d)
    Assert.Contains("INTERRUPTED — interrupted by SIGINT", d)
    Assert.DoesNotContain("Final metrics", d)
    Assert.False(File.Exists(Path.Combine(run.Folder, "summary.json")))
    // Killed: the heartbeat stops without a last word (Dispose without Finish); after 3 beats the page says KILLED.
    let killed = Path.Combine(dir, "killed")
    Directory.CreateDirectory killed |> ignore
    let live = new Live.LiveReport(killed, "t", "t", "plotly.min.js", Runs.silent, TimeSpan.FromSeconds 0.2)
    live.Progress.Begin("c/f", 10000)
    for k in 1 .. 10000 do live.Progress.Step("c/f", k, [ "loss", 1.0 / float k ])
    Threading.Thread.Sleep 500
    (live :> IDisposable).Dispose()
    // A long curve is thinned evenly: at most 2000 (+ the latest) points, no gap wider than the final stride (8 for
    // 10,000 steps), first and last steps kept.
    let xs =
        (Live.read killed).Value.["tasks"].[0].["metrics"].["loss"].["x"].AsArray() |> Seq.map (fun x -> x.GetValue<float>()) |> Seq.toArray
    Assert.True(xs.Length <= 2001 && xs.Length >= 1000, sprintf "%d points" xs.Length)
    Assert.Equal((1.0, 10000.0), (xs.[0], xs.[xs.Length - 1]))
    Assert.True(xs |> Array.pairwise |> Array.forall (fun (a, b) -> b - a <= 8.0), sprintf "largest gap %g" (xs |> Array.pairwise |> Array.map (fun (a, b) -> b - a) |> Array.max))
    Threading.Thread.Sleep 1000
    let d = dom 500 (Path.Combine(killed, "report.html"))
    Assert.Contains("data-state=\"KILLED\"", d)
    Assert.Contains("KILLED — no update for", d)
    try Directory.Delete(dir, true) with _ -> ()

let ``watch: prints the run's latest step and metrics, exits 0 on a finished run and 2 on a killed one`` () =
    let dir = tempDir ()
    let run = p7 dir 20 Runs.silent
    let code, out, _ = cli [ "watch"; run.Folder ]
    Assert.Equal(0, code)
    Assert.Matches("\\[p7/\\w+\\] step \\d+/\\d+  mean LL -\\d+\\.\\d{4}", out)
    Assert.Contains("DONE", out)
    // RUNNING naming a process that is gone: killed.
    File.Delete(Path.Combine(run.Folder, "DONE"))
    File.WriteAllText(Path.Combine(run.Folder, "RUNNING"), "pid 999999999\nstarted 2020-01-01T00:00:00Z\n")
    let code, _, err = cli [ "watch"; run.Folder ]
    Assert.Equal(2, code)
    Assert.Contains("KILLED", err)
    let code, _, err = cli [ "watch"; dir ]
    Assert.Equal(1, code)
    Assert.Contains("not a run folder", err)
    try Directory.Delete(dir, true) with _ -> ()

let ``answers come from the run's numbers: P3's best K and trend, DS-GA 1.7's winner and its 2-SE margin, P4's NICE against pytorch-generative, the likelihood tables against published figures and NICE follow the summary`` () =
    let summary (cases: (string * (string * float) list) list) =
        let cs =
            String.Join(",", cases |> List.map (fun (c, ms) ->
                // The Bernoulli mixture's fit is EM, as in the scripts; every other case's a gradient fit "f".
                sprintf "{\"label\":\"%s\",\"fits\":[{\"fit\":\"%s\",\"seconds\":1.5,\"iterations\":9800,\"weights\":[0.1,0.9],\"metrics\":{%s}}]}" c
                    (if c = "bmm" then "em" else "f")
                    (String.Join(",", ms |> List.map (fun (m, v) -> sprintf "\"%s\":%g" m v)))))
        Text.Json.Nodes.JsonNode.Parse("{\"cases\":[" + cs + "],\"studies\":[]}")
    let answer name cases = Answers.answers name (Answers.RunNumbers(summary cases)) |> List.map snd |> fun xs -> String.Join("\n", xs)
    let p3 = answer "ece8803_ps2_p3_bernoulli_mixture_mnist" [ "k5", [ "nll", 180.0 ]; "k10", [ "nll", 170.0 ]; "k20", [ "nll", 160.0 ] ]
    Assert.Contains("k5 180.0, k10 170.0, k20 160.0; k20 is lowest", p3)
    Assert.Contains("held-out NLL falls from k5 to k20", p3)
    let p3r = answer "ece8803_ps2_p3_bernoulli_mixture_mnist" [ "k5", [ "nll", 150.0 ]; "k10", [ "nll", 170.0 ]; "k20", [ "nll", 160.0 ] ]
    Assert.Contains("k5 is lowest", p3r)
    Assert.Contains("does not fall", p3r)
    let d = answer "dsga1008_final_1_density_estimation" [ "R=10-gmm", [ "test_nll", 5.10; "test_nll_se", 0.03 ]; "R=10-kde", [ "test_nll", 5.16; "test_nll_se", 0.03 ]; "R=10-ebm", [ "test_nll", 5.90; "test_nll_se", 0.02 ] ]
    Assert.Contains("GMM has the lowest; it beats EBM by more than 2 standard errors; KDE is within 2 standard errors of it", d)
    let d2 = answer "dsga1008_final_1_density_estimation" [ "R=10-gmm", [ "test_nll", 5.30; "test_nll_se", 0.03 ]; "R=10-kde", [ "test_nll", 5.16; "test_nll_se", 0.01 ] ]
    Assert.Contains("KDE has the lowest; it beats GMM by more than 2 standard errors", d2)
    let q4 = answer "mila_dgm_q4_iwae_bounds" [ "vae", [ "neg_iwae_1", 103.0; "neg_iwae_5", 101.0; "neg_iwae_50", 102.0 ] ]
    Assert.Contains("NO: the order is broken", q4)
    // 9,800 steps of 256 are 41.7 epochs of 60,000 images; 4.3994 is 0.0594 above 4.34 and more than 0.01 above 4.332.
    // The likelihood tables: against pytorch-generative's figures, and the flows against NICE at the same steps.
    let zoo = answer "likelihood_table_mnist_binary" [ "made", [ "nll", 85.35 ]; "bmm", [ "nll", 144.12 ]; "pixelcnn_res", [ "nll", 83.2 ] ]
    Assert.Contains("made: 85.35 nats after 9800 steps, 0.48 above 84.87.", zoo)
    Assert.Contains("bmm: 144.12 nats after 9800 EM iterations (no published figure).", zoo)
    Assert.Contains("pixelcnn_res: 83.20 nats after 9800 steps, 1.75 above 81.45.", zoo)
    let deq = answer "likelihood_table_mnist_dequantized" [ "nice", [ "bits_per_dim", 5.4 ]; "realnvp", [ "bits_per_dim", 4.9 ]; "glow", [ "bits_per_dim", 5.5 ] ]
    Assert.Contains("Bits/dim, lowest first: realnvp (4.9000) < nice (5.4000) < glow (5.5000).", deq)
    Assert.Contains("realnvp: 4.9000, 0.5000 below NICE's 5.4000 (both after 9800 steps).", deq)
    Assert.Contains("glow: 5.5000, 0.1000 above NICE's 5.4000", deq)
    let p4 = answer "ece8803_ps2_p4_nice_vs_vae" [ "nice", [ "bits_per_dim", 4.3994; "nll", -1956.69 ] ]
    Assert.Contains("4.3994 bits/dim after 41.7 epochs of 60,000 images' worth (9800 steps of 256): 0.0594 bits/dim above 4.34 (and above the 4.332", p4)

let ``export files a run under the README problem whose script ran it, also when the script declares several experiments`` () =
    let problem name : Export.Problem = { Name = name; Script = sprintf "experiments/%s.fsx" name; Problem = name; Produces = "" }
    let run experiment (command: string option) : ExportRuns.Run =
        { Folder = ""; Experiment = experiment; Stamp = "20260101-000000"; Summary = System.Text.Json.Nodes.JsonObject(); Config = System.Text.Json.Nodes.JsonObject(); StepSeconds = Map.empty
          Provenance = [ for c in Option.toList command -> ({ Command = c; Commit = ""; Dirty = false; At = ""; Resumed = false } : Provenance.Entry) ]
          Figures = []; Exported = None; Legacy = None }
    let table, ring = problem "likelihood_table_mnist", problem "likelihood_table_ring"
    let binary = run "likelihood_table_mnist_binary" (Some "gendsl run /home/u/gendsl/experiments/likelihood_table_mnist.fsx --case made")
    Assert.True(Export.ofProblem table binary)
    Assert.False(Export.ofProblem ring binary)
    Assert.True(Export.ofProblem ring (run "likelihood_table_ring" None))          // no provenance: by the experiment's name
    Assert.False(Export.ofProblem table (run "likelihood_table_mnist_binary" None))
    let page = Export.page [ table; ring ] [ binary ] "results" []
    Assert.Contains("| likelihood_table_mnist | `experiments/likelihood_table_mnist.fsx` | 1 |", page)
    Assert.DoesNotContain("## Other experiments", page)

let ``export puts an experiment's cases run one per run into one table: the newest run per case, epochs and seconds per epoch from its steps and batch, a resumed run's seconds over all its segments`` () =
    let parse (s: string) = System.Text.Json.Nodes.JsonNode.Parse s
    let run stamp (label: string) (nll: float) (iters: int) (secs: float) (fitter: string) : ExportRuns.Run =
        { Folder = ""; Experiment = "likelihood_table_mnist_binary"; Stamp = stamp
          Summary = parse (sprintf """{"cases":[{"label":"%s","n":60000,"fits":[{"fit":"adam","iterations":%d,"seconds":%g,"metrics":{"nll":%g},"parameters":1000}]}]}""" label iters secs nll)
          Config = parse (sprintf """{"cases":[{"label":"%s","fits":[{"name":"adam","fitter":%s}]}],"notes":["EXACT: %s."]}""" label fitter label)
          Provenance = [ { Command = "gendsl run experiments/likelihood_table_mnist.fsx --case " + label; Commit = ""; Dirty = false; At = ""; Resumed = false } ]
          StepSeconds = Map.ofList [ (label, "adam"), secs - 40.0 ]
          Figures = []; Exported = None; Legacy = None }
    let table : Export.Problem = { Name = "likelihood_table_mnist"; Script = "experiments/likelihood_table_mnist.fsx"; Problem = "zoo"; Produces = "" }
    let gradient = """{"kind":"gradient","batch":128}"""
    // A run resumed from checkpoints that did not keep their time: its summary's 300 s are its last segment's; its steps'
    // times in metrics.csv sum to 900 s.
    let resumed =
        let r = run "20260104-000000" "pixelcnn" 90.0 938 300.0 gradient
        { r with Provenance = r.Provenance @ [ { r.Provenance.Head with Command = "gendsl resume runs/x"; Resumed = true } ]
                 StepSeconds = Map.ofList [ ("pixelcnn", "adam"), 900.0 ] }
    let runs = [ run "20260101-000000" "made" 99.0 469 60.0 gradient; run "20260102-000000" "made" 85.0 4690 1200.0 gradient; run "20260103-000000" "bmm" 144.0 100 16.0 """{"kind":"em"}"""; resumed
                 run "20260105-000000" "vae" 95.0 4690 4.3 gradient ]
    let page = Export.page [ table ] runs "results" []
    Assert.Contains("### `likelihood_table_mnist_binary`: one table across its 5 runs", page)
    // A fit faster than 10 s: two significant digits, not "4" and "0" (10 epochs in 4.3 s: 0.43 s each).
    Assert.Contains("| vae | adam | 95 | 1,000 | 10 | 4.3 | 0.43 | `20260105-000000` |", page)
    // made's newest run: 4,690 steps, ceil(60,000 / 128) = 469 an epoch: 10 epochs; 1,200 s / 10 = 120 s per epoch (the
    // summary's seconds, not the steps' 1,160: a run never resumed).
    Assert.Contains("| made | adam | 85 | 1,000 | 10 | 1200 | 120 | `20260102-000000` |", page)
    // The resumed run: its steps' 900 s over 2 epochs, marked, with the footnote.
    Assert.Contains("| pixelcnn | adam | 90 | 1,000 | 2 | 900 † | 450 | `20260104-000000` |", page)
    Assert.Contains("| pixelcnn | adam | 90 | 900 † |", page)                   // its own section's table too
    Assert.Contains("† a resumed run whose summary counts only its last segment's seconds", page)
    // metrics.csv: a step's training rows (loss, lr) share its time, counted once; an evaluation's row adds its own.
    let csv = Path.Combine(newTempDir "export", "metrics.csv")
    File.WriteAllLines(csv, [ "case,fit,step,metric,value,seconds"; "b,adam,1,loss,6.0,2.5"; "b,adam,1,lr,0.001,2.5"; "b,adam,2,loss,5.9,2.0"
                              "b,adam,2,lr,0.001,2.0"; "b,adam,2,valid nll,5.8,10.0"; "c,adam,1,loss,1.0,4.0" ])
    Assert.Equal<Map<string * string, float>>(Map.ofList [ ("b", "adam"), 14.5; ("c", "adam"), 4.0 ], ExportRuns.stepSeconds csv)
    Directory.Delete(Path.GetDirectoryName csv, true)
    let tablePart = page.Substring(page.IndexOf "one table across", page.IndexOf "### Run" - page.IndexOf "one table across")
    Assert.DoesNotContain("| made | adam | 99 |", tablePart)                    // the older made run is only in its own section
    // EM has no batch: its iterations instead of epochs, no seconds per epoch.
    Assert.Contains("| bmm | adam | 144 | 1,000 | — (100 iterations) | 16 |  | `20260103-000000` |", page)
    Assert.Contains("> EXACT: vae.", tablePart)                                        // the newest run's notes
    Assert.DoesNotContain("> EXACT: pixelcnn.", tablePart)
    // One run of an experiment: no table across runs.
    Assert.DoesNotContain("one table across", Export.page [ table ] [ runs.[2] ] "results" [])

let ``figure SVGs are the same bytes from one drawing to the next: plotly's random uid becomes one of the file's name, empty style attributes go, the others last`` () =
    // The legend's background as Chromium wrote it in two exports of one run (style before or after the geometry).
    let legendA = "<rect class=\"bg\" shape-rendering=\"crispEdges\" style=\"stroke: rgb(68, 68, 68); stroke-width: 0px;\" width=\"168\" height=\"29\" x=\"0\" y=\"0\"/>"
    let legendB = "<rect class=\"bg\" shape-rendering=\"crispEdges\" width=\"168\" height=\"29\" x=\"0\" y=\"0\" style=\"stroke: rgb(68, 68, 68); stroke-width: 0px;\"/>"
    let drawing (uid: string) (root: string) (legend: string) =
        sprintf "<svg class=\"main-svg\" %s><defs id=\"defs-%s\"><clipPath id=\"clip%sxy\"/></defs><g clip-path=\"url(#clip%sxy)\" style=\"\"/><g style=\"fill: red\"/>%s<text data-unformatted=\"a>b\" x=\"1\">t</text></svg>" root uid uid uid legend
    let a = FigureFiles.stableIds "p7-means" (drawing "3f2a1c" "width=\"640\" viewBox=\"0 0 640 400\" style=\"\"" legendA)
    let b = FigureFiles.stableIds "p7-means" (drawing "9e8d7c" "width=\"640\" style=\"\" viewBox=\"0 0 640 400\"" legendB)
    Assert.Equal(a, b)
    Assert.Contains(legendB, a)                                                    // style last, the rest as written
    Assert.Contains("<text data-unformatted=\"a>b\" x=\"1\">t</text>", a)        // a '>' in a value: the tag left alone
    Assert.DoesNotContain("3f2a1c", a)
    Assert.DoesNotContain("style=\"\"", a)
    Assert.Contains("style=\"fill: red\"", a)
    Assert.NotEqual<string>(a, FigureFiles.stableIds "p7-ll-gd" (drawing "3f2a1c" "width=\"640\" viewBox=\"0 0 640 400\" style=\"\"" legendA))   // another file, another id

/// Every test of this module, as Expecto test values (named as the functions above).
let ``learning curves whose first steps dwarf the rest get a y range over the rest; level or oscillating curves keep autoscale`` () =
    // A PixelCNN-like loss: 540 at step 1, ~100 by step 50, then from 100 down to 86 over 3,000 steps; a test curve from 1,400.
    let train = [ for s in 1 .. 3000 -> float s, (if s <= 50 then 540.0 - 8.8 * float (s - 1) else 100.0 - 14.0 * float (s - 50) / 2950.0) ]
    let test = [ for s in 1400 .. 469 .. 3000 -> float s, 89.0 - float (s - 1400) / 500.0 ]
    match Plots.tailRange [ train; test ] with
    | Some (lo, hi) ->
        // after the first 5% of steps (step 151 on) the curves span 86 .. 100 - 14 * 101 / 2950 = 99.52; 5% margins.
        let top = 100.0 - 14.0 * 101.0 / 2950.0
        let span = top - 86.0
        Assert.Equal(86.0 - 0.05 * span, lo, 9)
        Assert.Equal(top + 0.05 * span, hi, 9)
    | None -> failwith "a 540-to-100 head over a 100-to-86 tail kept autoscale"
    // No head: a curve falling evenly, one oscillating (a GAN's losses), a single point, nothing.
    Assert.Equal(None, Plots.tailRange [ [ for s in 1 .. 100 -> float s, 200.0 - float s ] ])
    Assert.Equal(None, Plots.tailRange [ [ for s in 1 .. 100 -> float s, (if s % 2 = 0 then 1.0 else -1.0) ] ])
    Assert.Equal(None, Plots.tailRange [ [ 1.0, 5.0 ] ])
    Assert.Equal(None, Plots.tailRange [])
    // The range lands in the figure's y axis, its title kept.
    let fig = Plots.figure "c" "curves" "step" "nats per example" false [ Plots.line "train loss" [ 1.0; 2.0 ] [ 3.0; 4.0 ] ] |> Plots.yRange 85.0 101.0
    let y = Text.Json.Nodes.JsonNode.Parse(Plots.toJson fig).["layout"].["yaxis"]
    Assert.Equal<float list>([ 85.0; 101.0 ], [ for v in y.["range"].AsArray() -> v.GetValue<float>() ])
    Assert.Equal("nats per example", string y.["title"].["text"])

let ``answers read the table's numbers: P4's model for the data from the bounds, times and sizes; the GAN against GDA's prediction; the EBM against the KDE; P8's log p(test)`` () =
    let summary (cases: (string * (string * float) list * (string * float) list) list) =
        let cs =
            String.Join(",", cases |> List.map (fun (c, ms, fields) ->
                sprintf "{\"label\":\"%s\",\"fits\":[{\"fit\":\"adam\",%s\"metrics\":{%s}}]}" c
                    (String.Join("", fields |> List.map (fun (f, v) -> sprintf "\"%s\":%.12g," f v)))
                    (String.Join(",", ms |> List.map (fun (m, v) -> sprintf "\"%s\":%.12g" m v)))))
        Text.Json.Nodes.JsonNode.Parse("{\"cases\":[" + cs + "]}")
    let answer name cases = Answers.answers name (Answers.RunNumbers(summary cases)) |> List.map (fun (q, a) -> q + " " + a) |> fun xs -> String.Join("\n", xs)
    // P4 as exported: NICE 4412 s with 19,158,352 parameters; the conv VAE's bound 90.44 in 8902 s with 974,241; the MLP
    // VAE's 98.67 in 107 s. The conv VAE has the lowest bound, 19.7 times fewer parameters (-> 20), the MLP VAE trains
    // 8902 / 107 = 83 times faster at 8.23 nats more.
    let nice = "nice", [ "bits_per_dim", 4.3275; "nll", -1995.71 ], [ "parameters", 19158352.0; "seconds", 4412.0; "epochs", 50.0 ]
    let conv b s = "vae", [ "neg_elbo", b; "neg_iwae_5000", 83.54 ], [ "parameters", 974241.0; "seconds", s; "epochs", 50.0 ]
    let mlp b = "vae-mlp", [ "neg_elbo", b; "neg_iwae_5000", 91.76 ], [ "parameters", 1000000.0; "seconds", 107.0; "epochs", 50.0 ]
    let p4 = answer "ece8803_ps2_p4_nice_vs_vae" [ nice; mlp 98.67; conv 90.44 8902.0 ]
    Assert.Contains("Training time, fastest first: vae-mlp (107.0) < nice (4412.0) < vae (8902.0) s.", p4)
    Assert.Contains("vae has the lowest bound (−ELBO 90.44 nats; vae-mlp 98.67) with 20 times fewer parameters than NICE (974,241 vs 19,158,352); vae-mlp trains 83 times faster at 8.23 nats more", p4)
    Assert.Contains("these numbers favour vae:", p4)
    Assert.Contains("and it needs the most parameters", p4)
    Assert.Contains("4.3275 bits/dim after 50.0 epochs of 60,000 images' worth (11750 steps of 256): 0.0125 bits/dim below 4.34 (and within 0.01 of the 4.332", p4)
    // The bounds the other way round: the verdict follows them; a VAE bigger than NICE takes the size claims away.
    let p4b = answer "ece8803_ps2_p4_nice_vs_vae" [ nice; mlp 88.0; conv 90.44 8902.0 ]
    Assert.Contains("vae-mlp has the lowest bound (−ELBO 88.00 nats; vae 90.44)", p4b)
    Assert.Contains("these numbers favour vae-mlp:", p4b)
    Assert.DoesNotContain("trains", p4b.Substring(p4b.IndexOf "P4 (c)"))
    let p4c = answer "ece8803_ps2_p4_nice_vs_vae" [ nice; ("vae", [ "neg_elbo", 90.0 ], [ "parameters", 3e7; "seconds", 10.0 ]) ]
    Assert.DoesNotContain("fewer parameters", p4c)
    Assert.DoesNotContain("the most parameters", p4c)
    // The GAN: alternating closer to the data is GDA's prediction; the other way round says it is against it.
    let gan a s = answer "mila_dgm_q6_gan_ring" [ "simultaneous", [ "modes_covered", 10.0; "sample_nll", s ], []; "alternating", [ "modes_covered", 10.0; "sample_nll", a ], [] ]
    Assert.Contains("As the GDA analysis predicts", gan 5.775 6.305)
    Assert.Contains("0.5300 nats lower", gan 5.775 6.305)
    Assert.Contains("Against the GDA analysis's prediction", gan 6.4 6.305)
    // DS-GA 1.7, EBM against KDE: 5.906 +- 0.023 vs 5.159 +- 0.028 are apart; the EBM's excess over the truth 5.094 is 0.812,
    // more than twice the KDE's 0.065; at R = 1 3.218 +- 0.02 vs 3.228 +- 0.02 are within 2 SE.
    let ebm = answer "dsga1008_final_1_density_estimation"
                [ "R=10-gmm", [ "test_nll", 5.105; "test_nll_se", 0.031; "true_test_nll", 5.094 ], []
                  "R=10-kde", [ "test_nll", 5.159; "test_nll_se", 0.028 ], []; "R=10-ebm", [ "test_nll", 5.906; "test_nll_se", 0.023 ], []
                  "R=1-kde", [ "test_nll", 3.228; "test_nll_se", 0.02 ], []; "R=1-ebm", [ "test_nll", 3.218; "test_nll_se", 0.02 ], [] ]
    Assert.Contains("EBM 5.9060 ± 0.0230 against KDE 5.1590 ± 0.0280 nats: the KDE is better by 0.7470 nats; above the true mixture's 5.0940 by 0.8120 (EBM) and 0.0650 (KDE): a shallow energy network fits the ring's ten separate bumps less well", ebm)
    Assert.Contains("EBM 3.2180 ± 0.0200 against KDE 3.2280 ± 0.0200 nats: within 2 standard errors of each other.", ebm)
    // P8: the total and per-token log-likelihood and the perplexity, as the table has them.
    let lm = answer "cse599i_hw1_p8_transformer_wikitext2" [ "b", [ "nll", 5.0077; "perplexity", 149.5533; "total_log_likelihood", -1229719.0 ], [] ]
    Assert.Contains("log p(test) = -1.2297e+6 nats, 5.0077 nats per token, perplexity 149.55.", lm)
    // DS-GA 2.2-2.4 from the studies' numbers: 24.31 / 0.6931 = 35; the R = 10 gap 97.33 +- 0.31 is within 4.5 SE of 97.70;
    // a sweep that settles and an apart series that grows, then one that does neither.
    let variational (r10last: float) (apartLast: float) =
        let json =
            sprintf """{"cases":[],"studies":[{"label":"2.2","forward KL(p||q)":{"mu":0,"kl_pq":0.936,"kl_qp":3.709},"reverse KL(q||p)":{"mu":5,"kl_pq":24.306,"kl_qp":0.69314}},
                 {"label":"2.3-2.4","ring_R10":{"log_p":-5.1395,"l_uniform":-102.4715,"l_posterior":-5.1395,"gap":97.332,"gap_se":0.3143,"separated_gap":97.6974},
                  "ring_R1":{"log_p":-3.2257,"l_uniform":-3.8138,"l_posterior":-3.2257,"gap":0.5881,"gap_se":0.015,"separated_gap":-1.3},
                  "sweep_k":[10,320,640],"sweep_R10":{"gap":[97.33,96.988,%g]},"sweep_R1":{"gap":[0.588,0.591,0.591]},"sweep_apart":{"gap":[97.3,102384,%g]}}]}""" r10last apartLast
        Answers.answers "dsga1008_final_2_variational_bounds" (Answers.RunNumbers(Text.Json.Nodes.JsonNode.Parse json)) |> List.map snd |> fun xs -> String.Join("\n", xs)
    let v = variational 96.986 409573.3
    Assert.Contains("KL(p||q) = 24.3060 against KL(q||p) = 0.6931, 35 times larger (KL(q||p) = log 2", v)
    Assert.Contains("the q spread over both modes and the gap between them has KL(q||p) = 3.7090", v)
    Assert.Contains("The posterior q gives log p(x) exactly (to 1e-9 at both radii)", v)
    Assert.Contains("the gap is 97.33, within 4.5 standard errors of R^2 − log K = 97.70", v)
    Assert.Contains("gap at a fixed radius settles: R = 10 from 97.33 (K = 10) to 96.99 (K = 640)", v)
    Assert.Contains("from 97.30 to 409,573 at K = 640, growing at every step", v)
    let w = variational 90.0 100.0
    Assert.Contains("has not settled by the largest K", w)
    Assert.DoesNotContain("growing at every step", w)

let ``export answers a legacy run from its rows, an experiment's runs once under their table, and prints a person's observation only under the run it was written for`` () =
    let p4 : Export.Problem = { Name = "ece8803_ps2_p4_nice_vs_vae"; Script = "experiments/ece8803_ps2_p4_nice_vs_vae.fsx"; Problem = "P4"; Produces = "" }
    let columns = [ "case"; "fit"; "nll"; "bits_per_dim"; "neg_elbo"; "parameters"; "epochs"; "seconds"; "seconds per epoch"; "run" ]
    let legacy stamp (case: string) (cells: (string * string) list) (resumed: bool) : ExportRuns.Run =
        let section =
            sprintf "### Run `ece8803_ps2_p4_nice_vs_vae/%s`\n\n- command: `gendsl run experiments/ece8803_ps2_p4_nice_vs_vae.fsx --case %s`\n%s- seed 8804, started then, 2151.9964 s\n\n**Answers, from this run's numbers:**\n\n- *An old question?* An old answer.\n\n| case | fit |\n|---|---|\n" stamp case
                (if resumed then "- resumed with: `gendsl resume runs/x`\n" else "")
        { Folder = ""; Experiment = "ece8803_ps2_p4_nice_vs_vae"; Stamp = stamp; Summary = Text.Json.Nodes.JsonObject(); Config = Text.Json.Nodes.JsonObject()
          Provenance = []; StepSeconds = Map.empty; Figures = []; Exported = Some ""
          Legacy = Some { Section = section; Script = Some p4.Script; Cases = [ case ]; Notes = []; Columns = columns
                          Rows = [ Map.ofList ([ "case", case; "fit", "adam"; "run", sprintf "`%s`" stamp ] @ cells) ] } }
    let nice = legacy "20261206-165454" "nice" [ "nll", "-1995.7102"; "bits_per_dim", "4.3275"; "parameters", "19,158,352"; "epochs", "50"; "seconds", "4412" ] false
    let vae = legacy "20261206-181029" "vae" [ "neg_elbo", "90.4432"; "parameters", "974,241"; "epochs", "50"; "seconds", "8902 †" ] true
    // Alone, a legacy run's old answers block gives way to today's, from its rows; the person's observations of that run follow.
    let page = Export.page [ p4 ] [ nice ] "results" []
    Assert.DoesNotContain("An old answer.", page)
    Assert.Contains("4.3275 bits/dim after 50.0 epochs", page)
    Assert.Contains("P4 (a): NICE's samples, commented", page)
    Assert.Contains("written by a person", page)
    Assert.DoesNotContain("the convolutional VAE's bits/dim", page)          // written for the other run
    Assert.Contains("2151.9964 s\n", page.Replace("\r", ""))                   // not resumed: the wall time as it was
    // Together they answer once, under the table across runs, from both rows (the dagger cut from the seconds).
    let page = Export.page [ p4 ] [ nice; vae ] "results" []
    Assert.Equal(1, Regex.Matches(page, "P4 \\(a, b\\): what do NICE and the VAEs reach").Count)
    Assert.True(page.IndexOf "**Answers, from the table's numbers:**" < page.IndexOf "### Run", "the answers stand under the table, before the runs")
    Assert.Contains("Training time, fastest first: nice (4412.0) < vae (8902.0) s.", page)
    Assert.Contains("vae has the lowest bound (−ELBO 90.44 nats) with 20 times fewer parameters than NICE", page)
    Assert.DoesNotContain("An old answer.", page)
    Assert.DoesNotContain("**Answers, from this run's numbers:**", page)
    Assert.Contains("P4: the convolutional VAE's bits/dim", page)
    // A resumed run's header says its wall time is the last segment's.
    Assert.Contains("2151.9964 s of wall time in its last segment (the table's seconds count every segment)", page)
    Assert.Equal(1, Regex.Matches(page, "of wall time in its last segment").Count)

let ``docs/results.md: every observation written by a person stands under an exported run of its experiment`` () =
    let text = File.ReadAllText(Path.Combine(repoRoot (), "docs", "results.md"))
    for o in Answers.observations do
        Assert.True(Directory.Exists(Path.Combine(repoRoot (), "docs", "results", o.Experiment, o.Stamp)), sprintf "observation '%s' names run %s/%s, which is not exported" o.Question o.Experiment o.Stamp)
        Assert.Contains(sprintf "- *%s* (`%s`)" o.Question o.Stamp, text)

[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.ResultsToolsTests" [
        Expecto.Tests.testCase "learning curves whose first steps dwarf the rest get a y range over the rest; level or oscillating curves keep autoscale" ``learning curves whose first steps dwarf the rest get a y range over the rest; level or oscillating curves keep autoscale``
        Expecto.Tests.testCase "export files a run under the README problem whose script ran it, also when the script declares several experiments" ``export files a run under the README problem whose script ran it, also when the script declares several experiments``
        Expecto.Tests.testCase "export puts an experiment's cases run one per run into one table: the newest run per case, epochs and seconds per epoch from its steps and batch, a resumed run's seconds over all its segments" ``export puts an experiment's cases run one per run into one table: the newest run per case, epochs and seconds per epoch from its steps and batch, a resumed run's seconds over all its segments``
        Expecto.Tests.testCase "figure SVGs are the same bytes from one drawing to the next: plotly's random uid becomes one of the file's name, empty style attributes go, the others last" ``figure SVGs are the same bytes from one drawing to the next: plotly's random uid becomes one of the file's name, empty style attributes go, the others last``
        Expecto.Tests.testCase "export: every README seed problem has a section, every linked PNG and SVG exists at 1280x800 and 640x400, and the run's command and commit are named" ``export: every README seed problem has a section, every linked PNG and SVG exists at 1280x800 and 640x400, and the run's command and commit are named``
        Expecto.Tests.testCase "export keeps a run exported before it kept numbers as the page showed it: its section verbatim, its rows in the table across runs until a newer run of the case; paths are cut from what it keeps" ``export keeps a run exported before it kept numbers as the page showed it: its section verbatim, its rows in the table across runs until a newer run of the case; paths are cut from what it keeps``
        Expecto.Tests.testCase "docs/results.md: every README seed problem has a section and every image it links exists" ``docs/results.md: every README seed problem has a section and every image it links exists``
        Expecto.Tests.testCase "compare: two tiny P7 runs give one page with both runs' curves overlaid and the sgd.steps difference, in Chromium; runs sharing no metric are refused, runs of another experiment sharing one are compared on it" ``compare: two tiny P7 runs give one page with both runs' curves overlaid and the sgd.steps difference, in Chromium; runs sharing no metric are refused, runs of another experiment sharing one are compared on it``
        Expecto.Tests.testCase "live report: mid-run report.html shows RUNNING with step, ETA and a partial curve in Chromium, then becomes the final report" ``live report: mid-run report.html shows RUNNING with step, ETA and a partial curve in Chromium, then becomes the final report``
        Expecto.Tests.testCase "live report: an interrupted run's report says INTERRUPTED and a killed one's says KILLED once its heartbeat stops; neither looks complete" ``live report: an interrupted run's report says INTERRUPTED and a killed one's says KILLED once its heartbeat stops; neither looks complete``
        Expecto.Tests.testCase "watch: prints the run's latest step and metrics, exits 0 on a finished run and 2 on a killed one" ``watch: prints the run's latest step and metrics, exits 0 on a finished run and 2 on a killed one``
        Expecto.Tests.testCase "answers read the table's numbers: P4's model for the data from the bounds, times and sizes; the GAN against GDA's prediction; the EBM against the KDE; P8's log p(test)" ``answers read the table's numbers: P4's model for the data from the bounds, times and sizes; the GAN against GDA's prediction; the EBM against the KDE; P8's log p(test)``
        Expecto.Tests.testCase "export answers a legacy run from its rows, an experiment's runs once under their table, and prints a person's observation only under the run it was written for" ``export answers a legacy run from its rows, an experiment's runs once under their table, and prints a person's observation only under the run it was written for``
        Expecto.Tests.testCase "docs/results.md: every observation written by a person stands under an exported run of its experiment" ``docs/results.md: every observation written by a person stands under an exported run of its experiment``
        Expecto.Tests.testCase "answers come from the run's numbers: P3's best K and trend, DS-GA 1.7's winner and its 2-SE margin, P4's NICE against pytorch-generative, the likelihood tables against published figures and NICE follow the summary" ``answers come from the run's numbers: P3's best K and trend, DS-GA 1.7's winner and its 2-SE margin, P4's NICE against pytorch-generative, the likelihood tables against published figures and NICE follow the summary``
    ]
