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
        "P7 (b–d): what negative log-likelihood do gradient ascent (b), SGD (c) and EM (d) reach (the problem expects about 3.9 nats, comparable for all three)?",
        sprintf "Final NLL on the data: %s nats%s; %s reaches the lowest. All are within %s nats of each other."
            (String.Join(", ", fits |> List.map (fun (n, v) -> n + " " + f4 v)))
            (match truth with Some t -> sprintf " (the true mixture scores %s on the same data)" (f4 t) | None -> "")
            (fst best) (f4 ((fits |> List.map snd |> List.max) - snd best))
      let errs = have [ for f in [ "gd"; "sgd"; "em" ] -> f.ToUpper(), r.Metric("p7", Some f, "mean_error") ]
      if not errs.IsEmpty then
        "P7: have the methods converged (the problem checks this by plotting the final means on the data)?",
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
        // The seed's 1.7 asks for the EBM against the KDE in particular; the truth's NLL on the same points is the floor.
        match r.Metric(radius + "-ebm", None, "test_nll"), r.Metric(radius + "-ebm", None, "test_nll_se"),
              r.Metric(radius + "-kde", None, "test_nll"), r.Metric(radius + "-kde", None, "test_nll_se") with
        | Some e, Some es, Some k, Some ks ->
            let truth = r.Metric(radius + "-gmm", None, "true_test_nll")
            sprintf "1.7 (%s): how does the EBM's test likelihood compare with the KDE's?" radius,
            sprintf "EBM %s ± %s against KDE %s ± %s nats: %s%s."
                (f4 e) (f4 es) (f4 k) (f4 ks)
                (if not (apart (e, es) (k, ks)) then "within 2 standard errors of each other"
                 elif e < k then sprintf "the EBM is better by %s nats" (f4 (k - e))
                 else sprintf "the KDE is better by %s nats" (f4 (e - k)))
                (match truth with
                 | Some t -> sprintf "; above the true mixture's %s by %s (EBM) and %s (KDE): a shallow energy network %s" (f4 t) (f4 (e - t)) (f4 (k - t))
                                 (if e - t > 2.0 * (k - t) && apart (e, es) (k, ks) then "fits the ring's ten separate bumps less well than a kernel sum placed on the data" else "comes as close to the truth as the kernel sum")
                 | None -> "")
        | _ -> ()
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
    let thousands (x: float) = x.ToString("#,0", Globalization.CultureInfo.InvariantCulture)
    [ if not cases.IsEmpty then
        "P4 (a, b): what do NICE and the VAEs reach?",
        String.Join(" ",
            [ for c in cases ->
                sprintf "%s: %s%s." c (String.Join(", ", row c |> List.map (fun (m, v) -> m + " " + f4 v)))
                    (match r.FitField(c, "parameters"), r.FitField(c, "seconds") with
                     | Some p, Some s -> sprintf " (%s parameters, %s s)" (thousands p) (f1 s)
                     | _ -> "") ])
        + " NICE's NLL is exact, on dequantised pixels; the VAEs' −ELBO and IWAE are upper bounds on binarised pixels, so the numbers compare within a family, not across."
      // pytorch-generative's NICE: 50 epochs of all 60,000 training images at batch 256 = 50 x 235 = 11,750 Adam steps.
      let niceEpochs =
          match r.FitField("nice", "epochs"), r.FitField("nice", "iterations") with
          | Some e, _ -> Some e
          | None, Some steps -> Some(steps / 235.0)
          | None, None -> None
      match r.Metric("nice", None, "bits_per_dim"), niceEpochs with
      | Some bpd, Some epochs ->
        "P4: how does NICE compare with pytorch-generative's 4.34 bits/dim (50 epochs of all 60,000 images, 11,750 steps of 256)?",
        sprintf "%s bits/dim after %s epochs of 60,000 images' worth (%.0f steps of 256): %s bits/dim %s 4.34 (and %s the 4.332 a PyTorch 1.13 run of the same model reached after 11,750 steps on this machine type)."
            (f4 bpd) (f1 epochs) (epochs * 235.0) (f4 (abs (bpd - 4.34))) (if bpd <= 4.34 then "below" else "above")
            (if abs (bpd - 4.332) < 0.01 then "within 0.01 of" elif bpd < 4.332 then "below" else "above")
      | _ -> ()
      let secs = have [ for c in cases -> c, r.FitField(c, "seconds") ]
      let bounds = have [ for c in cases do if c <> "nice" then c, r.Metric(c, None, "neg_elbo") ]
      let pars c = r.FitField(c, "parameters")
      if secs.Length > 1 && not bounds.IsEmpty then
        let best, bestBound = bounds |> List.minBy snd
        let fastest, fastSecs = secs |> List.minBy snd
        "P4 (c): which model suits this data, counting runtime, expressiveness and simplicity?",
        sprintf "Training time, fastest first: %s s. Of the models trained on binarised digits, %s has the lowest bound (−ELBO %s nats%s)%s%s%s"
            (ranked f1 secs) best (f2 bestBound)
            (match bounds |> List.filter (fun (c, _) -> c <> best) with
             | [] -> ""
             | others -> "; " + String.Join(", ", others |> List.map (fun (c, v) -> sprintf "%s %s" c (f2 v))))
            (match pars best, pars "nice" with
             | Some pb, Some pn when pb < pn -> sprintf " with %.0f times fewer parameters than NICE (%s vs %s)" (pn / pb) (thousands pb) (thousands pn)
             | _ -> "")
            (if fastest <> best then
                 match r.Metric(fastest, None, "neg_elbo"), r.FitField(best, "seconds") with
                 | Some fb, Some bs -> sprintf "; %s trains %.0f times faster at %s nats more" fastest (bs / fastSecs) (f2 (fb - bestBound))
                 | _ -> ""
             else "")
            (sprintf ". For binary images with strokes these numbers favour %s: the best likelihood bound here, and pixels that depend on one another through the latent code, unlike the Bernoulli mixture's of P3 (independent given the component); NICE's exact likelihood is of another quantity (dequantised pixels)%s." best
                (match pars "nice" with
                 | Some pn when cases |> List.forall (fun c -> c = "nice" || pars c |> Option.forall (fun p -> p < pn)) -> ", and it needs the most parameters"
                 | _ -> "")) ]

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
            (String.Join(", ", modes |> List.map (fun (c, v) -> sprintf "%s %.0f" c v))) (ranked f4 nll)
        + (match List.tryFind (fun (c, _) -> c = "alternating") nll, List.tryFind (fun (c, _) -> c = "simultaneous") nll with
           // Mila Q6's GDA on V = d g: simultaneous steps spiral outward (|z| grows by sqrt(1 + alpha^2) a step), alternating
           // steps stay on a bounded orbit; on a real GAN that predicts alternating updates train more stably.
           | Some (_, a), Some (_, s) when a < s ->
               sprintf " As the GDA analysis predicts (simultaneous steps spiral outward, alternating ones stay bounded), the alternating updates end closer to the data: %s nats lower." (f4 (s - a))
           | Some (_, a), Some (_, s) ->
               sprintf " Against the GDA analysis's prediction (alternating updates are the stable ones), the simultaneous updates end as close or closer to the data in this run (%s vs %s): on a real GAN, with its nonlinear players and one seed, the bilinear game's prediction does not decide the outcome." (f4 s) (f4 a)
           | _ -> "") ]

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
        // The script's metrics: nll (nats per token), perplexity, total_log_likelihood (nats over the whole test split).
        match r.Metric(c, None, "nll"), r.Metric(c, None, "perplexity"), r.Metric(c, None, "total_log_likelihood") with
        | Some nll, ppl, total ->
            sprintf "P8 (%s): the test log-likelihood of the model kept at its best validation loss?" c,
            sprintf "%s%s nats per token%s."
                // a table cell keeps 5 significant digits of a total this size (-1.2297e+6): shown as it is, not padded with zeros
                (match total with Some t -> sprintf "log p(test) = %s nats, " (t.ToString("0.####e+0", Globalization.CultureInfo.InvariantCulture)) | None -> "")
                (f4 nll)
                (match ppl with Some p -> sprintf ", perplexity %s" (f2 p) | None -> "")
        | None, _, _ -> () ]

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
                let steps =
                    match r.FitField(c, "iterations"), r.FitField(c, "epochs") with
                    | Some i, _ -> sprintf " after %.0f %s" i unit
                    | None, Some e -> sprintf " after %s epochs" (e.ToString("0.##", Globalization.CultureInfo.InvariantCulture))
                    | None, None -> ""
                match zooPublished |> List.tryFind (fun (n, _) -> n = c) with
                | Some (_, p) -> sprintf "%s: %s nats%s, %s %s %s." c (f2 v) steps (f2 (abs (v - p))) (if v <= p then "below" else "above") (f2 p)
                | None -> sprintf "%s: %s nats%s (no published figure)." c (f2 v) steps ]) ]

let private tableDequantized (r: RunNumbers) =
    let bpd = have [ for c in r.Cases -> c, r.Metric(c, None, "bits_per_dim") ]
    [ if not bpd.IsEmpty then
        "Which model reaches the lowest test bits/dim?",
        sprintf "Bits/dim, lowest first: %s." (ranked f4 bpd)
      // The budget is compared in steps where the numbers have them, else in epochs (rows exported before they kept steps).
      let unit = if r.FitField("nice", "iterations").IsSome then "iterations" else "epochs"
      let word = if unit = "iterations" then "steps" else "epochs"
      match List.tryFind (fun (c, _) -> c = "nice") bpd, r.FitField("nice", unit) with
      | Some (_, nice), Some budget ->
        let others = bpd |> List.filter (fun (c, _) -> c <> "nice")
        let shown (x: float) = x.ToString("0.##", Globalization.CultureInfo.InvariantCulture)
        if not others.IsEmpty then
            "Do the affine flows (RealNVP, Glow-style, MAF) fall below NICE's bits/dim at the same epochs?",
            String.Join(" ",
                [ for c, v in others ->
                    let same = r.FitField(c, unit) = Some budget
                    sprintf "%s: %s, %s %s NICE's %s%s." c (f4 v) (f4 (abs (nice - v))) (if v < nice then "below" else "above") (f4 nice)
                        (if same then sprintf " (both after %s %s)" (shown budget) word
                         else sprintf " (but after %s %s to NICE's %s: not the same budget)" (match r.FitField(c, unit) with Some i -> shown i | None -> "?") word (shown budget)) ])
      | _ -> () ]

/// A number of a study's summary entry along a path of keys: study.[k1].[k2]...
let private studyNumber (st: JsonNode) (path: string list) : float option =
    let rec go (n: JsonNode) (path: string list) : float option =
        match n, path with
        | null, _ -> None
        | n, [] -> (try Some(n.GetValue<float>()) with _ -> None)
        | n, (k: string) :: rest -> (try go (n.[k]) rest with _ -> None)
    go st path

/// The numbers of study.[group].[key], an array.
let private studyArray (st: JsonNode) (group: string) (key: string) : float list =
    match st.[group] with
    | null -> []
    | g -> match g.[key] with null -> [] | a -> (try [ for x in a.AsArray() -> x.GetValue<float>() ] with _ -> [])

let private variational (r: RunNumbers) =
    [ match r.Study "2.2" with
      | Some st ->
        match studyNumber st [ "reverse KL(q||p)"; "kl_pq" ], studyNumber st [ "reverse KL(q||p)"; "kl_qp" ],
              studyNumber st [ "reverse KL(q||p)"; "mu" ], studyNumber st [ "forward KL(p||q)"; "kl_qp" ] with
        | Some pq, Some qp, Some mu, fwdQp ->
            "2.2: two densities with KL(p||q) >> KL(q||p), p multimodal; which q gives a tighter bound?",
            sprintf "p = the two-mode mixture, q = the Gaussian on one mode (mu = %s): KL(p||q) = %s against KL(q||p) = %s, %.0f times larger%s. Variational inference minimises KL(q || posterior) (2.1), so the bound is tighter for a q that puts little mass where the posterior has little%s."
                (f2 mu) (f4 pq) (f4 qp) (pq / qp)
                (if abs (qp - log 2.0) < 0.01 then " (KL(q||p) = log 2: q misses half of p's mass and pays only that)" else "")
                (match fwdQp with
                 | Some f when f > qp -> sprintf ", even one that covers a single mode: the q spread over both modes and the gap between them has KL(q||p) = %s" (f4 f)
                 | _ -> "")
        | _ -> ()
      | None -> ()
      match r.Study "2.3-2.4" with
      | Some st ->
        let ring (g: string) = [ "log_p"; "l_uniform"; "l_posterior"; "gap"; "gap_se"; "separated_gap" ] |> List.map (fun k -> studyNumber st [ g; k ])
        match ring "ring_R10", ring "ring_R1" with
        | [ Some lp10; Some lu10; Some lq10; Some g10; Some s10; Some sep10 ], [ Some lp1; Some lu1; Some lq1; Some g1; Some s1; _ ] ->
            "2.3: log p(x) by the variational lower bound with q uniform and q the posterior (true parameters); what do the results say?",
            sprintf "Means over the points (nats): R = 10: log p(x) %s, L(posterior) %s, L(uniform) %s, gap %s ± %s; R = 1: log p(x) %s, L(posterior) %s, L(uniform) %s, gap %s ± %s. The posterior q gives log p(x) exactly%s; the uniform q's gap is KL(uniform || posterior): at R = 10 the posterior is nearly one-hot and the gap is %s, %s R^2 − log K = %s for separated components; at R = 1 the components overlap, the posterior is close to uniform, and the gap is only %s."
                (f4 lp10) (f4 lq10) (f4 lu10) (f2 g10) (f2 s10) (f4 lp1) (f4 lq1) (f4 lu1) (f4 g1) (f4 s1)
                (if abs (lp10 - lq10) < 1e-9 && abs (lp1 - lq1) < 1e-9 then " (to 1e-9 at both radii)" else " (NOT to 1e-9 in this run)")
                (f2 g10) (if abs (g10 - sep10) <= 4.5 * s10 + 0.01 then "within 4.5 standard errors of" else "away from") (f2 sep10) (f4 g1)
        | _ -> ()
        let ks = match st.["sweep_k"] with null -> [] | a -> (try [ for x in a.AsArray() -> x.GetValue<float>() ] with _ -> [])
        let g10, g1, ga = studyArray st "sweep_R10" "gap", studyArray st "sweep_R1" "gap", studyArray st "sweep_apart" "gap"
        if ks.Length > 1 && g10.Length = ks.Length && g1.Length = ks.Length && ga.Length = ks.Length then
            let k0, kn = List.head ks, List.last ks
            // settled: the last two K differ by under 0.1% (the study's own claim uses the paired standard errors)
            let settled (g: float list) = let a, b = g.[g.Length - 2], List.last g in abs (b - a) <= 1e-3 * abs b
            let grows = ga |> List.pairwise |> List.forall (fun (a, b) -> b > a)
            "2.4: what happens to the bound as K grows, for each q?",
            sprintf "The posterior bound stays exact at every K. The uniform q's gap at a fixed radius %s: R = 10 from %s (K = %.0f) to %s (K = %.0f), R = 1 from %s to %s%s. With the components kept apart (R = K) it goes from %s to %s at K = %.0f%s."
                (if settled g10 && settled g1 then "settles" else "has not settled by the largest K")
                (f2 (List.head g10)) k0 (f2 (List.last g10)) kn (f4 (List.head g1)) (f4 (List.last g1))
                (if settled g10 && settled g1 then ": bounded, as the ring of components tends to a continuous ring" else "")
                (f2 (List.head ga)) ((List.last ga).ToString("#,0", Globalization.CultureInfo.InvariantCulture)) kn
                (if grows then ", growing at every step (about K^2): a uniform q over ever more separated components is ever worse, while the posterior's cost is only a sum over K per point" else "")
      | None -> () ]

/// What a person read from one run's figures (whether samples look like digits is not in its numbers), or found about it
/// outside its numbers (an investigation, a measurement of a case not run here): a question and its answer, written for
/// the run with that stamp and printed only while that run is exported, so it never stands under a run it was not
/// written about. The page marks them as a person's reading.
type Observation = { Experiment: string; Stamp: string; Question: string; Text: string }

let observations : Observation list =
    [ { Experiment = "ece8803_ps2_p4_nice_vs_vae"; Stamp = "20261206-165454"
        Question = "P4 (a): NICE's samples, commented"
        Text = "Read from this run's samples figure (36 samples): most are recognisable digits (about 30 of the 36 by one reading) with the data's stroke widths, but every one carries speckle on the background and grainy strokes, and a few are malformed (a 6 like a 'b', an open 8). NICE draws each latent coordinate independently from a heavy-tailed logistic base and maps it through four additive couplings and a diagonal scaling: what the couplings do not undo shows as pixel noise. A good likelihood (4.33 bits/dim) with noisy-looking samples." }
      { Experiment = "ece8803_ps2_p4_nice_vs_vae"; Stamp = "20261206-165454"
        Question = "P4: why did earlier 50-epoch NICE runs end at 4.399 bits/dim where the same model in PyTorch 1.13 ends at 4.332?"
        Text = "Not the model or the trainer: `Data.mnist` held out 10,000 training images for a validation split P4 never used, so 50 epochs were 9,800 steps of 50,000 images instead of pytorch-generative's 11,750 of 60,000. Step for step, the 4.399 run's training curve had already met PyTorch's run: train 6.97 / 5.26 / 4.40 bits/dim at steps 2,350 / 4,700 / 7,520 against PyTorch's test 6.993 / 5.337 / 4.462 at the same steps (its epochs 10 / 20 / 32; commit b3ef4f9). P4 now trains on all 60,000 images (`Data.noValidation`), and this run ends at 4.3275, 0.005 below PyTorch's 4.332." }
      { Experiment = "ece8803_ps2_p4_nice_vs_vae"; Stamp = "20261206-181029"
        Question = "P4 (b): are the VAE's samples more plausible?"
        Text = "For the convolutional VAE, yes: in this run's samples figure (36 samples) nearly all are clean, recognisable digits (about 33 of the 36 by one reading), smooth strokes with soft grey edges on a clean background, without NICE's speckle and with fewer malformed shapes. Its convolutional decoder ties neighbouring pixels together through the latent code, so strokes stay connected." }
      { Experiment = "ece8803_ps2_p4_nice_vs_vae"; Stamp = "20261206-181029"
        Question = "P4: the convolutional VAE's bits/dim"
        Text = "The note above, written when the run was made, divides by 784 ln 2; the convolutional VAE models the image padded to 32 × 32, so its 0.1177 is per padded pixel: IWAE-5000 83.54 / (1024 ln 2). Per 28 × 28 pixel the same bound is 83.54 / (784 ln 2) = 0.1537 bits/dim." }
      { Experiment = "ece8803_ps2_p4_nice_vs_vae"; Stamp = "20261206-180835"
        Question = "P4 (b): and the MLP VAE's samples?"
        Text = "Less plausible than the convolutional VAE's and blurrier than NICE's: about 20 of the 36 in this run's samples figure read as digits; the rest are blurred blends of two digits or broken strokes. Its bound is also the worse of the two VAEs'." }
      { Experiment = "cse599i_hw1_p8_transformer_wikitext2"; Stamp = "20261206-165115"
        Question = "P8 (b): how did training go, and what of (c) and (d)?"
        Text = "(b) trained its full 10 epochs: 4,360 steps of 32 sequences of 150 tokens (436 an epoch), in four segments resumed from checkpoints. The validation loss was lowest, 5.070 nats/token (perplexity 159.2), at step 3,488 (epoch 8) and rose to 5.126 by epoch 10, so the kept model is epoch 8's (read from the run's metrics.csv when it finished; this export kept its figures, not the file). (c) and (d) were not run here: (c) measured 61.4 min per epoch on this 2-core machine and (d) has the same network, so (c)'s 10 epochs take about 10 h and (d)'s 80 about 82 h, GPU work (`--device cuda`, the GPU issue). The text samples the script prints at the end were not kept by this export (the run folder did not outlive its machine)." } ]

/// The observations written for the given runs of an experiment, in the list's order.
let observationsFor (experiment: string) (stamps: string list) =
    observations |> List.filter (fun o -> o.Experiment = experiment && List.contains o.Stamp stamps)

/// The questions answered from a run's numbers for the experiment `name` (none: the page lists the run's checks instead).
let answers (name: string) (r: RunNumbers) : (string * string) list =
    match name with
    | "cse599i_hw1_p7_gmm" -> p7 r
    | "dsga1008_final_1_ring_gmm" -> ringGmm r
    | "dsga1008_final_1_density_estimation" -> density r
    | "dsga1008_final_2_variational_bounds" -> variational r
    | "ece8803_ps2_p3_bernoulli_mixture_mnist" -> p3 r
    | "ece8803_ps2_p4_nice_vs_vae" -> p4 r
    | "mila_dgm_q4_iwae_bounds" -> q4 r
    | "mila_dgm_q6_gan_ring" -> ganRing r
    | "open_ring_models" -> openRing r
    | "cse599i_hw1_p8_transformer_wikitext2" -> lm r
    | "likelihood_table_mnist_binary" -> tableBinary r
    | "likelihood_table_mnist_dequantized" -> tableDequantized r
    | _ -> []
