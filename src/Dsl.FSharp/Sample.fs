/// Sample.fs: `gendsl sample <run folder>` — draws from a trained model of a finished run: the model rebuilt from the
/// run's config.json, its parameters from checkpoints/<case>_<fit>.pt; text for a language model, an image grid for
/// the MNIST families.
module GenDsl.Dsl.Sample

open System
open System.IO
open GenDsl.Torch
open GenDsl.Dsl.FamilyCommon

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
            let checkpoint = Path.Combine(r.Folder, "checkpoints", sprintf "%s_%s.pt" pc.Case.Label f.Name)
            let tensors () =
                if File.Exists checkpoint then Ok(Torch.Load checkpoint)
                else Error(sprintf "%s: no checkpoint (did the run finish? `gendsl resume %s` first)" checkpoint r.Folder)
            (Families.ops pc.Case.Model).Sample
                { Planned = pc; ExperimentSeed = plan.Experiment.Seed; Count = r.Count; Prompt = r.Prompt; Temperature = r.Temperature; TopK = r.TopK
                  Generator = g; Load = load plan.Experiment r.Folder pc.Case f; Tensors = tensors; Write = out }

/// Draws from a run of an experiment without models written in a script.
let draw (r: Request) = drawLike None r
