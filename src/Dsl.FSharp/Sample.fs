/// Sample.fs: `gendsl sample <run folder>` — draws from a trained model of a finished run: the model rebuilt from the
/// run's config.json, its parameters from checkpoints/<case>_<fit>.pt; text for a language model, an image grid for
/// the MNIST families.
module GenDsl.Dsl.Sample

open System
open System.IO
open GenDsl.Torch

type Request =
    { Folder: string
      /// None: the first case and fit with a checkpoint.
      Case: string option
      Fit: string option
      /// Images to draw, or tokens to generate.
      Count: int
      Prompt: string
      Temperature: float
      TopK: int
      Seed: uint64 }

/// What was drawn: text, or images written as an HTML page (path) of a plotly image grid.
type Drawn =
    | Text of string
    | ImagePage of path: string
    /// Samples of vectors written as a CSV file (path), one sample per row.
    | Rows of path: string

let private load (e: Experiment) (folder: string) (case: Case) (fit: FitSpec) (m: NN.Module) =
    let path = Path.Combine(folder, "checkpoints", sprintf "%s_%s.pt" case.Label fit.Name)
    if not (File.Exists path) then Error(sprintf "%s: no checkpoint (did the run finish? `gendsl resume %s` first)" path folder)
    else
        m.LoadStateDict(Torch.Load path) |> ignore
        m.Eval() |> ignore
        Ok()

/// Draws from the chosen fit; the error says what is missing or which families cannot be sampled.
/// `like`: the script's experiment, which gives models written in a script their code (config.json their values).
let drawLike (like: Experiment option) (r: Request) : Result<Drawn, string> =
    let config = Path.Combine(r.Folder, "config.json")
    if not (File.Exists config) then Error(sprintf "'%s' is not a run folder: it has no config.json" r.Folder) else
    match Describe.ofJsonLike like (File.ReadAllText config) |> Result.bind (fun e -> Check.plan e |> Result.mapError (fun es -> String.Join("; ", es |> List.map Check.message))) with
    | Error m -> Error m
    | Ok plan ->
        let pick =
            plan.Cases |> List.tryPick (fun pc ->
                if r.Case.IsSome && r.Case <> Some pc.Case.Label then None
                else pc.Case.Fits |> List.tryFind (fun f -> r.Fit.IsNone || r.Fit = Some f.Name) |> Option.map (fun f -> pc, f))
        match pick with
        | None -> Error(sprintf "no case/fit matches (cases: %s)" (String.Join(", ", plan.Cases |> List.map (fun pc -> pc.Case.Label))))
        | Some (pc, f) ->
            use g = new Generator(r.Seed)
            use _ng = Autograd.NoGrad()
            use _s = Scope.Begin()
            let grid (x: Tensor) (side: int) =
                let imgs = Fitting.imageRows x
                let fig = Plots.imageGrid "samples" (sprintf "%s, %s: %d samples" pc.Case.Label f.Name imgs.Length) side side (int (ceil (sqrt (float imgs.Length)))) imgs
                let page = Path.Combine(r.Folder, "plots", sprintf "sample-%s-%s-%d.html" pc.Case.Label f.Name r.Seed)
                // plotly.min.js sits in the run folder (older runs) or in the output root two levels up.
                let plotly = if File.Exists(Path.Combine(r.Folder, "plotly.min.js")) then "../plotly.min.js" else "../../../plotly.min.js"
                let html =
                    sprintf "<!doctype html><meta charset=utf-8><title>samples</title><script src=\"%s\"></script><div id=p></div><script>var f=%s;Plotly.newPlot('p',f.data,f.layout)</script>"
                        plotly (Plots.toJson fig)
                File.WriteAllText(page, html)
                Ok(ImagePage page)
            let rowsFile (x: Tensor) =
                let x = x.Reshape([| x.Size 0; -1L |])
                let rows = Fitting.rows x
                let page = Path.Combine(r.Folder, "plots", sprintf "sample-%s-%s-%d.csv" pc.Case.Label f.Name r.Seed)
                Directory.CreateDirectory(Path.GetDirectoryName page) |> ignore
                let header = String.Join(",", [ for j in 1 .. int (x.Size 1) -> sprintf "x%d" j ])
                let lines = rows |> Array.map (fun row -> String.Join(",", row |> Array.map (fun v -> v.ToString("R", Globalization.CultureInfo.InvariantCulture))))
                File.WriteAllLines(page, Array.append [| header |] lines)
                Ok(Rows page)
            let out (x: Tensor) = match pc.Case.Data with Mnist m -> grid x (28 + 2 * m.Pad) | MixtureSample _ | Points _ | DataFile _ | WikiText2 _ -> rowsFile x
            let loaded (m: NN.Module) = load plan.Experiment r.Folder pc.Case f m
            match pc.Case.Model with
            | Vae v ->
                let vae = ImageFamilies.vaeModule v pc.Shape g
                loaded vae |> Result.bind (fun () -> out (vae.Sample(int64 r.Count, g, true)))
            | Nice n ->
                let nice = ImageFamilies.niceModule n pc.Dim g
                loaded nice |> Result.bind (fun () -> out (nice.Sample(int64 r.Count, g, r.Temperature)))
            | UserModel m ->
                let p = UserFamily.build m pc.Shape g
                match p.Sample with
                | None -> Error(sprintf "model '%s' has no sampler: give it one in the script with Parts.withSampler" m.Name)
                | Some sample -> loaded p.Module |> Result.bind (fun () -> out (sample r.Count g))
            | TransformerLm l ->
                match pc.Case.Data with
                | WikiText2 w ->
                    let corpus = match DataFiles.corpus w.Files with Ok c -> c | Error m -> failwith m
                    let lm = TextFamilies.lmModule l corpus.VocabSize w.Context g
                    loaded lm
                    |> Result.map (fun () ->
                        let ids = corpus.Encode r.Prompt
                        let ids = if ids.Length = 0 then [| int64 (corpus.IdOf GenDsl.Data.WikiTextCorpus.Eos) |] else ids
                        Text(r.Prompt + " " + corpus.Decode(lm.Generate(ids, r.Count, r.Temperature, r.TopK, g))))
                | MixtureSample _ | Points _ | DataFile _ | Mnist _ -> Error "a Transformer LM runs on token windows only"
            | Gmm _ | Bmm _ | Kde _ | Ebm _ | Gan _ ->
                Error(sprintf "sampling a %s model from a run folder is not supported yet (VAE, NICE, Transformer LM and models written in a script with a sampler are)" (Check.familyName pc.Case.Model))

/// Draws from a run of an experiment without models written in a script.
let draw (r: Request) = drawLike None r
