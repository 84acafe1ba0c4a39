/// CheckData.fs: pure facts about a case's data — split sizes, the shape of one example, what a source holds — and the
/// checks of the data itself (empty, ragged, bad weights, MNIST/WikiText settings, a user's file and its faults).
module GenDsl.Dsl.CheckData

open System

/// MNIST split sizes (the IDX files hold 60,000 training and 10,000 test images).
let mnistCount (m: MnistSpec) =
    let whole =
        match m.Split with
        | Train -> 60000 - m.ValidSize
        | Valid -> m.ValidSize
        | Test -> 10000
    match m.Subset with
    | Some n -> min n whole
    | None -> whole

/// WikiText-2's token counts per split (the PyTorch word-language-model tokenisation, checked by the loader's tests).
let wikiTextTokens (split: Split) =
    match split with
    | Train -> 2088628
    | Valid -> 217646
    | Test -> 245569

/// Tokens of a WikiText-2 split (or of a user's corpus: its files are read once) after the subsets.
let wikiTextCount (w: WikiTextSpec) (split: Split) =
    let whole =
        match w.Files with
        | None -> wikiTextTokens split
        | Some _ ->
            match DataFiles.corpus w.Files with
            | Ok c -> c.Tokens(match split with Train -> GenDsl.Data.WikiTextSplit.Train | Valid -> GenDsl.Data.WikiTextSplit.Valid | Test -> GenDsl.Data.WikiTextSplit.Test).Length
            | Error _ -> 0
    let sub = if split = w.Split then w.Subset else w.EvalSubset
    match sub with
    | Some n -> min n whole
    | None -> whole

/// (N, shape of one example) of a data source, when it can be known without reading anything.
let dataShape (d: DataSpec) : int * int list option =
    match d with
    | MixtureSample s ->
        let dim =
            match s.Source with
            | Cse599iP7 | Ring _ -> Some 2
            | Custom (_, means) -> means |> List.tryHead |> Option.map List.length
        s.N, dim |> Option.map (fun d -> [ d ])
    | Points rows -> rows.Length, rows |> List.tryHead |> Option.map (fun r -> [ r.Length ])
    | Mnist m ->
        let side = 28 + 2 * m.Pad
        mnistCount m, Some(if m.AsImages then [ 1; side; side ] else [ side * side ])
    | WikiText2 w -> max 0 ((wikiTextCount w w.Split - 1) / max 1 w.Context), Some [ w.Context + 1 ]
    | DataFile f ->
        // The file is read (once, cached) so that its shape and its faults are known before a run starts.
        match DataFiles.load f with
        | Ok l -> (let n, _, _ = DataFiles.splitSizes f l.Rows in n), Some [ l.Dim ]
        | Error _ -> 0, None

/// The standard deviation of Data.jitter's noise on the training points, when the data has it.
let jitterOf (d: DataSpec) : float option =
    match d with
    | MixtureSample s -> s.Jitter
    | DataFile f -> f.Jitter
    | Points _ | Mnist _ | WikiText2 _ -> None

let checkData (c: Case) =
    let label = c.Label
    [ match jitterOf c.Data with
      | Some j when not (j > 0.0 && Double.IsFinite j) ->
          BadSetting(sprintf "case '%s'" label, sprintf "Data.jitter's standard deviation must be a finite number > 0, got %g" j)
      | _ -> ()
      match c.Data with
      | Points rows ->
          if rows.IsEmpty then EmptyData label
          match rows with
          | first :: _ ->
              for i, r in List.indexed rows do
                  if r.Length <> first.Length then RaggedData(label, i, first.Length, r.Length)
          | [] -> ()
      | MixtureSample s ->
          if s.N <= 0 then EmptyData label
          match s.Source with
          | Cse599iP7 -> ()
          | Ring (k, r) ->
              if k < 1 then ZeroComponents(label, k)
          | Custom (w, means) ->
              if means.IsEmpty then ZeroComponents(label, 0)
              if w.Length <> means.Length then ComponentCountMismatch(label, "the weights", means.Length, w.Length)
              if w |> List.exists (fun x -> x < 0.0) then BadWeights(label, "must be >= 0")
              elif not w.IsEmpty && abs (List.sum w - 1.0) > 1e-6 then BadWeights(label, sprintf "must sum to 1, they sum to %g" (List.sum w))
              match means with
              | first :: _ ->
                  for r in means do
                      if r.Length <> first.Length then DimensionMismatch(label, "a true mean", first.Length, r.Length)
              | [] -> ()
      | Mnist m ->
          let where = sprintf "case '%s'" label
          if m.ValidSize < 0 || m.ValidSize >= 60000 then BadSetting(where, sprintf "MNIST's validation size must be in 0..59999, got %d" m.ValidSize)
          if m.Split = Valid && m.ValidSize = 0 then BadSetting(where, "the validation split is empty (ValidSize = 0): train on Train or Test, or keep a validation split")
          for sub in [ m.Subset; m.EvalSubset ] do
              match sub with
              | Some n when n < 1 -> BadSetting(where, sprintf "an MNIST subset needs n >= 1, got %d" n)
              | _ -> ()
          if m.Pad < 0 then BadSetting(where, sprintf "the padding must be >= 0, got %d" m.Pad)
      | WikiText2 w ->
          let where = sprintf "case '%s'" label
          if w.Context < 1 then BadSetting(where, sprintf "the context must be >= 1 token, got %d" w.Context)
          for sub in [ w.Subset; w.EvalSubset ] do
              match sub with
              | Some n when n < 2 -> BadSetting(where, sprintf "a token subset needs n >= 2, got %d" n)
              | _ -> ()
          match DataFiles.corpus w.Files with
          | Error m when w.Files.IsSome -> BadSetting(where, m)
          | _ -> ()
          if w.Context >= 1 && wikiTextCount w w.Split <= w.Context then
              BadSetting(where, sprintf "the training split has %d tokens, fewer than one window of %d + 1" (wikiTextCount w w.Split) w.Context)
      | DataFile f ->
          let where = sprintf "case '%s'" label
          match DataFiles.load f with
          | Error m -> BadSetting(where, m)
          | Ok l ->
              if not (f.ValidFraction >= 0.0 && f.TestFraction >= 0.0 && f.ValidFraction + f.TestFraction < 1.0) then
                  BadSetting(where, sprintf "the held-out fractions must be >= 0 and leave rows to train on, got valid %g and test %g" f.ValidFraction f.TestFraction)
              else
                  let n, _, _ = DataFiles.splitSizes f l.Rows
                  if n < 1 then BadSetting(where, sprintf "data file '%s' leaves no training rows (%d rows in all)" f.Path l.Rows)
          if not (f.Scale > 0.0) then BadSetting(where, sprintf "the scale must be > 0, got %g" f.Scale)
          match f.Subset with
          | Some n when n < 1 -> BadSetting(where, sprintf "a subset needs n >= 1, got %d" n)
          | _ -> () ]

/// What a data source holds, in the words of the pairing errors: real vectors, binary images, tokens.
let holds (d: DataSpec) =
    match d with
    | MixtureSample _ | Points _ | DataFile _ -> "real vectors"
    | Mnist { Pixels = StaticBinary | DynamicBinary } -> "binary images"
    | Mnist _ -> "8-bit images"
    | WikiText2 _ -> "token sequences"
