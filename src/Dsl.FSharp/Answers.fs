/// Answers.fs: pure — the seed problems' questions, each answered in a sentence or two from a run's own numbers
/// (summary.json), one template per experiment; `gendsl export` writes them into docs/results.md. A template only
/// reads numbers and compares them: a claim appears only when the numbers make it.
module GenDsl.Dsl.Answers

open System
open System.Text.Json.Nodes

/// The numbers of one finished run (its summary.json).
type RunNumbers(summary: JsonNode) =
    let cases = match summary.["cases"] with null -> [] | c -> [ for x in c.AsArray() -> x ]
    let studies = match summary.["studies"] with null -> [] | s -> [ for x in s.AsArray() -> x ]
    let caseOf (case: string) = cases |> List.tryFind (fun c -> c.["label"].GetValue<string>() = case)
    let firstFit (case: string) = caseOf case |> Option.bind (fun c -> c.["fits"].AsArray() |> Seq.tryHead)
    /// A final metric of (case, fit); the fit None: the case's first.
    member _.Metric(case: string, fit: string option, metric: string) : float option =
        caseOf case
        |> Option.bind (fun c ->
            c.["fits"].AsArray() |> Seq.tryFind (fun f -> fit |> Option.forall (fun n -> f.["fit"].GetValue<string>() = n)))
        |> Option.bind (fun f -> match f.["metrics"].[metric] with null -> None | v -> (try Some(v.GetValue<float>()) with _ -> None))
    /// A field of (case, first fit): seconds, parameters, iterations.
    member _.FitField(case: string, field: string) : float option =
        firstFit case |> Option.bind (fun f -> match f.[field] with null -> None | v -> (try Some(v.GetValue<float>()) with _ -> None))
    /// The weights of (case, first fit).
    member _.Weights(case: string) : float[] =
        firstFit case
        |> Option.map (fun f -> match f.["weights"] with null -> [||] | w -> [| for x in w.AsArray() -> x.GetValue<float>() |])
        |> Option.defaultValue [||]
    /// The name of (case, first fit): "em", "adam", ...
    member _.FitName(case: string) : string option =
        firstFit case |> Option.bind (fun f -> match f.["fit"] with null -> None | v -> Some(v.GetValue<string>()))
    member _.Cases = cases |> List.map (fun c -> c.["label"].GetValue<string>())
    member _.Study(label: string) = studies |> List.tryFind (fun s -> s.["label"].GetValue<string>() = label)
    member _.Studies = studies

let private f4 (x: float) = x.ToString("0.0000", Globalization.CultureInfo.InvariantCulture)
let private f2 (x: float) = x.ToString("0.00", Globalization.CultureInfo.InvariantCulture)
let private f1 (x: float) = x.ToString("0.0", Globalization.CultureInfo.InvariantCulture)

/// The named values that exist, in order.
let private have (xs: (string * float option) list) = xs |> List.choose (fun (n, v) -> v |> Option.map (fun v -> n, v))

/// "a (1.0) < b (2.0) < c (3.0)" from the smallest up.
let private ranked (fmt: float -> string) (xs: (string * float) list) =
    String.Join(" < ", xs |> List.sortBy snd |> List.map (fun (n, v) -> sprintf "%s (%s)" n (fmt v)))

/// Whether two estimates with standard errors differ by more than 2 combined standard errors.
let private apart (a: float, sa: float) (b: float, sb: float) = abs (a - b) > 2.0 * sqrt (sa * sa + sb * sb)

let private p7 (r: RunNumbers) =
    let fits = have [ for f in [ "gd"; "sgd"; "em" ] -> f.ToUpper(), r.Metric("p7", Some f, "nll") ]
    let truth = r.Metric("p7", Some "em", "true_nll")
    [ if not fits.IsEmpty then
        let best = fits |> List.minBy snd
        "P7 (a–c): what negative log-likelihood does each method reach (the problem expects about 3.9 nats)?",
        sprintf "Final NLL on the data: %s nats%s; %s reaches the lowest. All are within %s nats of each other."
            (String.Join(", ", fits |> List.map (fun (n, v) -> n + " " + f4 v)))
            (match truth with Some t -> sprintf " (the true mixture scores %s on the same data)" (f4 t) | None -> "")
            (fst best) (f4 ((fits |> List.map snd |> List.max) - snd best))
      let errs = have [ for f in [ "gd"; "sgd"; "em" ] -> f.ToUpper(), r.Metric("p7", Some f, "mean_error") ]
      if not errs.IsEmpty then
        "P7 (d): how close are the fitted means to the true ones?",
        sprintf "Largest distance from a fitted mean to its true mean, from closest to farthest: %s." (ranked f4 errs) ]

let private ringGmm (r: RunNumbers) =
    let rows = have [ for c in r.Cases -> c, r.Metric(c, None, "mean_error") ]
    let ws = have [ for c in r.Cases -> c, r.Metric(c, None, "weight_error") ]
    [ if not rows.IsEmpty then
        "1.2: how well does EM recover the means mu_k (and the weights pi_k) as the ring shrinks?",
        sprintf "Mean error: %s; weight error: %s. %s"
            (String.Join(", ", rows |> List.map (fun (c, v) -> c + " " + f4 v)))
            (String.Join(", ", ws |> List.map (fun (c, v) -> c + " " + f4 v)))
            (match List.tryHead rows, List.tryLast rows with
             | Some (c0, a), Some (c1, b) when b > a -> sprintf "The components overlap more at %s than at %s and the parameters are recovered %.1f times less precisely." c1 c0 (b / a)
             | Some (c0, a), Some (c1, b) -> sprintf "The error did not grow from %s (%s) to %s (%s) in this run." c0 (f4 a) c1 (f4 b)
             | _ -> "") ]

let private density (r: RunNumbers) =
    [ for radius in [ "R=10"; "R=1" ] do
        let ms = [ for m in [ "gmm"; "kde"; "ebm" ] do
                     match r.Metric(radius + "-" + m, None, "test_nll"), r.Metric(radius + "-" + m, None, "test_nll_se") with
                     | Some v, Some se -> (m.ToUpper(), v, se)
                     | _ -> () ]
        if not ms.IsEmpty then
            let best = ms |> List.minBy (fun (_, v, _) -> v)
            let (bn, bv, bs) = best
            let clear = ms |> List.filter (fun (n, v, s) -> n <> bn && apart (v, s) (bv, bs)) |> List.map (fun (n, _, _) -> n)
            let tied = ms |> List.filter (fun (n, v, s) -> n <> bn && not (apart (v, s) (bv, bs))) |> List.map (fun (n, _, _) -> n)
            sprintf "1.7 (%s): which model has the best test likelihood?" radius,
            sprintf "Test NLL ± SE (nats): %s%s. %s has the lowest%s%s."
                (String.Join(", ", ms |> List.map (fun (n, v, s) -> sprintf "%s %s ± %s" n (f4 v) (f4 s))))
                (match r.Metric(radius + "-gmm", None, "true_test_nll") with Some t -> sprintf "; the true mixture %s" (f4 t) | None -> "")
                bn
                (if clear.IsEmpty then "" else sprintf "; it beats %s by more than 2 standard errors" (String.Join(" and ", clear)))
                (if tied.IsEmpty then "" else sprintf "; %s %s within 2 standard errors of it" (String.Join(" and ", tied)) (if tied.Length > 1 then "are" else "is"))
      for radius in [ "R=10"; "R=1" ] do
        match r.Metric(radius + "-ebm", None, "log_z"), r.Metric(radius + "-ebm", None, "log_z_quadrature") with
        | Some z, Some q ->
            sprintf "1.6 (%s): how good is the importance-sampling estimate of log Z?" radius,
            sprintf "log Z by importance sampling %s vs %s by quadrature (difference %s)." (f4 z) (f4 q) (f4 (z - q))
        | _ -> () ]

let private p3 (r: RunNumbers) =
    let ks = have [ for c in [ "k5"; "k10"; "k20" ] -> c, r.Metric(c, None, "nll") ]
    let bpd = have [ for c in [ "k5"; "k10"; "k20" ] -> c, r.Metric(c, None, "bits_per_dim") ]
    [ if not ks.IsEmpty then
        let best = ks |> List.minBy snd
        "P3 (d): what do the components show, and how do K = 5 and K = 20 differ?",
        sprintf "Held-out NLL of the 10,000 test images (nats): %s; %s is lowest. Mixture weights: %s. Each component's p (the figures) is the average image of the training images it claims: with more components each covers fewer digits and styles, so the held-out NLL %s from %s to %s."
            (String.Join(", ", ks |> List.map (fun (c, v) -> c + " " + f1 v))) (fst best)
            (String.Join("; ", [ for c, _ in ks -> let w = r.Weights c in if w.Length = 0 then c + " ?" else sprintf "%s from %s to %s" c (f4 (Array.min w)) (f4 (Array.max w)) ]))
            (match List.tryHead ks, List.tryLast ks with Some (_, a), Some (_, b) when b < a -> "falls" | _ -> "does not fall")
            (match List.tryHead ks with Some (c, _) -> c | None -> "?") (match List.tryLast ks with Some (c, _) -> c | None -> "?")
      if not bpd.IsEmpty then
        "P3 (e): are samples drawn from the mixture plausible MNIST images?",
        sprintf "Drawing k ~ pi then every pixel ~ Bernoulli(p_k) independently gives %s bits per pixel on test images, against 1 bit for fair coins: the mixture captures where ink is, but pixels are independent given k, so samples are speckled versions of the component images (the samples figure) rather than clean strokes."
            (String.Join(", ", bpd |> List.map (fun (c, v) -> c + " " + f4 v)))
      match r.Metric("k20", None, "nll"), r.Metric("k20-data-start", None, "nll") with
      | Some a, Some b ->
        "The seed's start against a data-mean start (K = 20):",
        sprintf "Held-out NLL %s (the seed's unit-length start) vs %s (means of random images): the %s start ends %s nats lower after the same iterations."
            (f1 a) (f1 b) (if b < a then "data-mean" else "seed's") (f1 (abs (a - b)))
      | _ -> ()
      match r.Metric("k20-all-60000", None, "nll"), r.FitField("k20-all-60000", "seconds") with
      | Some v, Some s -> "K = 20 on all 60,000 training images:", sprintf "Held-out NLL %s nats after %s s of EM." (f1 v) (f1 s)
      | _ -> () ]

let private p4 (r: RunNumbers) =
    let row c = [ "bits_per_dim"; "nll"; "neg_elbo"; "neg_iwae_5000" ] |> List.choose (fun m -> r.Metric(c, None, m) |> Option.map (fun v -> m, v))
    let cases = r.Cases |> List.filter (fun c -> not (row c).IsEmpty)
    [ if not cases.IsEmpty then
        "P4 (a, b): how do NICE's and the VAEs' numbers compare (which samples are more plausible)?",
        String.Join(" ",
            [ for c in cases ->
                sprintf "%s: %s%s." c (String.Join(", ", row c |> List.map (fun (m, v) -> m + " " + f4 v)))
                    (match r.FitField(c, "parameters"), r.FitField(c, "seconds") with
                     | Some p, Some s -> sprintf " (%.0f parameters, %s s)" p (f1 s)
                     | _ -> "") ])
        + " NICE's NLL is exact, on dequantised pixels; the VAEs' −ELBO and IWAE are upper bounds on binarised pixels, so the columns compare within a model family; the sample figures show the plausibility."
      // pytorch-generative's NICE: 50 epochs of all 60,000 training images at batch 256 = 50 x 235 = 11,750 Adam steps.
      match r.Metric("nice", None, "bits_per_dim"), r.FitField("nice", "iterations") with
      | Some bpd, Some steps ->
        "P4: how does NICE compare with pytorch-generative's 4.34 bits/dim (50 epochs of all 60,000 images, 11,750 steps of 256)?",
        sprintf "%s bits/dim after %.0f Adam steps of 256 images (%.1f epochs of 60,000 images' worth): %s bits/dim %s 4.34 (and %s the 4.332 a PyTorch 1.13 run of the same model reached after 11,750 steps on this machine type)."
            (f4 bpd) steps (steps / 235.0) (f4 (abs (bpd - 4.34))) (if bpd <= 4.34 then "below" else "above")
            (if abs (bpd - 4.332) < 0.01 then "within 0.01 of" elif bpd < 4.332 then "below" else "above")
      | _ -> ()
      let secs = have [ for c in cases -> c, r.FitField(c, "seconds") ]
      if secs.Length > 1 then
        "P4 (c): which model suits this data, counting runtime?",
        sprintf "Training time, fastest first: %s s. Together with the bounds above and P3's mixture (seconds, but independent pixels) this is the trade-off the question asks about." (ranked f1 secs) ]

let private q4 (r: RunNumbers) =
    let c = r.Cases |> List.tryHead |> Option.defaultValue "vae"
    let ks = have [ for k in [ 1; 5; 50; 5000 ] -> sprintf "-L_%d" k, r.Metric(c, None, sprintf "neg_iwae_%d" k) ]
    [ if ks.Length > 1 then
        let vs = ks |> List.map snd
        let ordered = vs |> List.pairwise |> List.forall (fun (a, b) -> b <= a)
        "Q4: is -L_1 >= -L_5 >= -L_50 >= -L_5000 on the same test images?",
        sprintf "%s (nats): %s, and the bound tightens by %s nats from K = 1 to the largest K."
            (String.Join(", ", ks |> List.map (fun (n, v) -> n + " = " + f4 v)))
            (if ordered then "yes, each bound is at most the one before" else "NO: the order is broken in this run")
            (f4 (List.head vs - List.last vs)) ]

let private ganRing (r: RunNumbers) =
    let modes = have [ for c in r.Cases -> c, r.Metric(c, None, "modes_covered") ]
    let nll = have [ for c in r.Cases -> c, r.Metric(c, None, "sample_nll") ]
    [ if not modes.IsEmpty then
        "Q6 (a real GAN): do simultaneous and alternating updates behave as the GDA analysis predicts?",
        sprintf "Modes covered (of 10): %s; NLL of the samples under the true ring (lower: closer to the data): %s."
            (String.Join(", ", modes |> List.map (fun (c, v) -> sprintf "%s %.0f" c v))) (ranked f4 nll) ]

let private openRing (r: RunNumbers) =
    let ms = [ for c in r.Cases do
                 match r.Metric(c, None, "test_nll"), r.Metric(c, None, "test_nll_se") with
                 | Some v, Some s -> c, v, s
                 | _ -> () ]
    [ if not ms.IsEmpty then
        "Which model fits the R = 5 ring best on one test sample?",
        sprintf "Test NLL ± SE (nats), best first: %s." (String.Join(", ", ms |> List.sortBy (fun (_, v, _) -> v) |> List.map (fun (c, v, s) -> sprintf "%s %s ± %s" c (f4 v) (f4 s)))) ]

let private lm (r: RunNumbers) =
    [ for c in r.Cases do
        let ms = [ "nats_per_token"; "perplexity"; "test_log_likelihood" ] |> List.choose (fun m -> r.Metric(c, None, m) |> Option.map (fun v -> m, v))
        if not ms.IsEmpty then
            sprintf "P8 (%s): the test log-likelihood of the model kept at its best validation loss?" c,
            String.Join(", ", ms |> List.map (fun (m, v) -> m + " " + f4 v)) + "." ]

// pytorch-generative's table on binarised MNIST, nats per image (its VAE figure is a bound); both PixelCNN cases of the
// script (Mila Q1's small one and pytorch-generative's size) are set against its PixelCNN.
let private zooPublished = [ "pixelcnn", 81.45; "pixelcnn_res", 81.45; "gated", 81.50; "made", 84.87; "vae", 86.77 ]

let private tableBinary (r: RunNumbers) =
    let rows = have [ for c in r.Cases -> c, r.Metric(c, None, "nll") ]
    [ if not rows.IsEmpty then
        "How do the test NLLs compare with pytorch-generative's (PixelCNN 81.45, Gated PixelCNN 81.50, MADE 84.87, VAE <= 86.77 nats, GPU budgets)?",
        String.Join(" ",
            [ for c, v in rows ->
                let unit = if r.FitName c = Some "em" then "EM iterations" else "steps"
                let steps = match r.FitField(c, "iterations") with Some i -> sprintf " after %.0f %s" i unit | None -> ""
                match zooPublished |> List.tryFind (fun (n, _) -> n = c) with
                | Some (_, p) -> sprintf "%s: %s nats%s, %s %s %s." c (f2 v) steps (f2 (abs (v - p))) (if v <= p then "below" else "above") (f2 p)
                | None -> sprintf "%s: %s nats%s (no published figure)." c (f2 v) steps ]) ]

let private tableDequantized (r: RunNumbers) =
    let bpd = have [ for c in r.Cases -> c, r.Metric(c, None, "bits_per_dim") ]
    [ if not bpd.IsEmpty then
        "Which model reaches the lowest test bits/dim?",
        sprintf "Bits/dim, lowest first: %s." (ranked f4 bpd)
      match List.tryFind (fun (c, _) -> c = "nice") bpd, r.FitField("nice", "iterations") with
      | Some (_, nice), Some steps ->
        let others = bpd |> List.filter (fun (c, _) -> c <> "nice")
        if not others.IsEmpty then
            "Do the affine flows (RealNVP, Glow-style, MAF) fall below NICE's bits/dim at the same epochs?",
            String.Join(" ",
                [ for c, v in others ->
                    let same = r.FitField(c, "iterations") = Some steps
                    sprintf "%s: %s, %s %s NICE's %s%s." c (f4 v) (f4 (abs (nice - v))) (if v < nice then "below" else "above") (f4 nice)
                        (if same then sprintf " (both after %.0f steps)" steps
                         else sprintf " (but after %s steps to NICE's %.0f: not the same budget)" (match r.FitField(c, "iterations") with Some i -> sprintf "%.0f" i | None -> "?") steps) ])
      | _ -> () ]

/// The questions answered from a run's numbers for the experiment `name` (none: the page lists the run's checks instead).
let answers (name: string) (r: RunNumbers) : (string * string) list =
    match name with
    | "cse599i_hw1_p7_gmm" -> p7 r
    | "dsga1008_final_1_ring_gmm" -> ringGmm r
    | "dsga1008_final_1_density_estimation" -> density r
    | "ece8803_ps2_p3_bernoulli_mixture_mnist" -> p3 r
    | "ece8803_ps2_p4_nice_vs_vae" -> p4 r
    | "mila_dgm_q4_iwae_bounds" -> q4 r
    | "mila_dgm_q6_gan_ring" -> ganRing r
    | "open_ring_models" -> openRing r
    | "cse599i_hw1_p8_transformer_wikitext2" -> lm r
    | "likelihood_table_mnist_binary" -> tableBinary r
    | "likelihood_table_mnist_dequantized" -> tableDequantized r
    | _ -> []
