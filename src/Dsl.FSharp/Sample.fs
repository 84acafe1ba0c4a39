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

let private load (e: Experiment) (folder: string) (case: Case) (fit: FitSpec) (m: NN.Module) =
    let path = Path.Combine(folder, "checkpoints", sprintf "%s_%s.pt" case.Label fit.Name)
    if not (File.Exists path) then Error(sprintf "%s: no checkpoint (did the run finish? `gendsl resume %s` first)" path folder)
    else
        m.LoadStateDict(Torch.Load path) |> ignore
        m.Eval() |> ignore
        Ok()

/// Draws from the chosen fit; the error says what is missing or which families cannot be sampled.
let draw (r: Request) : Result<Drawn, string> =
    let config = Path.Combine(r.Folder, "config.json")
    if not (File.Exists config) then Error(sprintf "'%s' is not a run folder: it has no config.json" r.Folder) else
    match Describe.ofJson (File.ReadAllText config) |> Result.bind (fun e -> Check.plan e |> Result.mapError (fun es -> String.Join("; ", es |> List.map Check.message))) with
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
            match pc.Case.Model, pc.Case.Data with
            | Vae v, Mnist m ->
                let vae = ImageFamilies.vaeModule v pc.Shape g
                load plan.Experiment r.Folder pc.Case f vae |> Result.bind (fun () -> grid (vae.Sample(int64 r.Count, g, true)) (28 + 2 * m.Pad))
            | Nice n, Mnist m ->
                let nice = ImageFamilies.niceModule n pc.Dim g
                load plan.Experiment r.Folder pc.Case f nice |> Result.bind (fun () -> grid (nice.Sample(int64 r.Count, g, r.Temperature)) (28 + 2 * m.Pad))
            | TransformerLm l, WikiText2 w ->
                let corpus = GenDsl.Data.WikiText.Load()
                let lm = TextFamilies.lmModule l corpus.VocabSize w.Context g
                load plan.Experiment r.Folder pc.Case f lm
                |> Result.map (fun () ->
                    let ids = corpus.Encode r.Prompt
                    let ids = if ids.Length = 0 then [| int64 (corpus.IdOf GenDsl.Data.WikiTextCorpus.Eos) |] else ids
                    Text(r.Prompt + " " + corpus.Decode(lm.Generate(ids, r.Count, r.Temperature, r.TopK, g))))
            | model, _ -> Error(sprintf "sampling a %s model from a run folder is not supported yet (VAE, NICE and Transformer LM are)" (Check.familyName model))
