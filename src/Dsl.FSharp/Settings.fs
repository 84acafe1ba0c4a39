/// Settings.fs: pure — `--set key=value` over the describe tree: a key is a describe path (or any shorter run of its
/// segments ending with the leaf, e.g. `sgd.steps`), so the names a user types are the names `describe` prints.
module GenDsl.Dsl.Settings

open System
open System.Text.Json.Nodes

/// Edit distance for did-you-mean: insertions, deletions, substitutions and swaps of neighbours
/// (optimal string alignment), so "sdg" is one edit from "sgd".
let levenshtein (a: string) (b: string) =
    let d = Array2D.init (a.Length + 1) (b.Length + 1) (fun i j -> if i = 0 then j elif j = 0 then i else 0)
    for i in 1 .. a.Length do
        for j in 1 .. b.Length do
            let cost = if a.[i - 1] = b.[j - 1] then 0 else 1
            d.[i, j] <- min (min (d.[i - 1, j] + 1) (d.[i, j - 1] + 1)) (d.[i - 1, j - 1] + cost)
            if i > 1 && j > 1 && a.[i - 1] = b.[j - 2] && a.[i - 2] = b.[j - 1] then
                d.[i, j] <- min d.[i, j] (d.[i - 2, j - 2] + 1)
    d.[a.Length, b.Length]

/// The closest known key, if it is close enough to be a plausible typo.
let suggest (key: string) (known: string list) =
    known
    |> List.map (fun k -> k, levenshtein (key.ToLowerInvariant()) (k.ToLowerInvariant()))
    |> List.sortBy snd
    |> List.tryHead
    |> Option.filter (fun (k, d) -> d <= max 2 (k.Length / 3))
    |> Option.map fst

/// Every parameter `--set` can change: (full path, current value as JSON text).
let parameters (e: Experiment) : (string * string) list =
    Tree.leaves (Tree.toNode e)
    |> List.map (fun l -> Tree.pathText l.Path, (match l.Node with null -> "none" | n -> n.ToJsonString()))

/// The closest full path or short form to a mistyped key, if close enough to be a typo.
let private suggestFor (key: string) (paths: string list list) =
    let n = key.Split('.').Length
    // Every short form of each path with as many segments as the key (segments in order, ending with the leaf:
    // "sgd.steps" for cases.p7.fits.sgd.budget.steps), and the whole path.
    let rec choose k (xs: string list) =
        if k = 0 then [ [] ]
        else
            match xs with
            | [] -> []
            | h :: t -> (choose (k - 1) t |> List.map (fun r -> h :: r)) @ choose k t
    let shortForms (p: string list) =
        if n < 1 || n > p.Length || n > 4 then []
        else
            let leaf, front = List.last p, List.take (p.Length - 1) p
            choose (n - 1) front |> List.map (fun f -> Tree.pathText (f @ [ leaf ]))
    let candidates = paths |> List.collect (fun p -> Tree.pathText p :: shortForms p) |> List.distinct
    suggest key candidates

/// Finds the leaves a key names; several leaves of one shape (the same setting in each case or fit) are all set,
/// leaves of different shapes are ambiguous.
let resolve (root: JsonNode) (key: string) : Result<Tree.Leaf list, DslError> =
    let k = key.Split('.') |> List.ofArray
    let all = Tree.leaves root
    let found = all |> List.filter (fun l -> l.Path = k)
    let found = if found.IsEmpty then all |> List.filter (fun l -> Tree.matches k l.Path) else found
    match found |> List.map (fun l -> l.Shape) |> List.distinct with
    | [] -> Error(UnknownOverride(key, suggestFor key (all |> List.map (fun l -> l.Path))))
    | [ _ ] -> Ok found
    | _ ->
        let names = found |> List.map (fun l -> Tree.pathText l.Path)
        Error(BadSetting("--set " + key, sprintf "ambiguous: it names %s; give more of the path" (String.Join(", ", names |> List.truncate 6))))

let private applyOne (e: Experiment) (key: string, value: string) : Result<Experiment, DslError> =
    let root = Tree.toNode e
    resolve root key
    |> Result.bind (fun leaves ->
        let parsed = leaves |> List.map (fun l -> l, Tree.parseValue l.Node value)
        match parsed |> List.tryPick (fun (l, r) -> match r with Error x -> Some(l, x) | Ok _ -> None) with
        | Some (_, "a finite number") -> Error(BadOverrideValue(key, value, "a finite number"))
        | Some (l, exp) ->
            // Say what the field's type wants ("an integer"), found by decoding the text where the number should be.
            Tree.setAt root l.Path (JsonValue.Create value)
            match Tree.ofNodeLike e root with
            | Error msg when msg.Contains ": expected " -> Error(BadOverrideValue(key, value, msg.Substring(msg.IndexOf ": expected " + 11)))
            | _ -> Error(BadOverrideValue(key, value, exp))
        | None ->
            for l, r in parsed do
                match r with
                | Ok v -> Tree.setAt root l.Path (match v with null -> null | v -> v.DeepClone())
                | Error _ -> ()
            match Tree.ofNodeLike e root with
            | Ok e2 -> Ok e2
            | Error msg ->
                let exp = match msg.IndexOf ": expected " with i when i >= 0 -> msg.Substring(i + 11) | _ -> msg
                Error(BadOverrideValue(key, value, exp)))

/// Splits "key=value".
let parseAssignment (s: string) : Result<string * string, DslError> =
    match s.IndexOf '=' with
    | i when i > 0 -> Ok(s.Substring(0, i).Trim(), s.Substring(i + 1).Trim())
    | _ -> Error(BadSetting("--set " + s, "expected key=value, e.g. sgd.steps=500"))

/// Applies `key=value` overrides in order; every bad one is reported.
let applyOverrides (assignments: string list) (e: Experiment) : Result<Experiment, DslError list> =
    let folder (exp, errs) a =
        match parseAssignment a |> Result.bind (applyOne exp) with
        | Ok e2 -> e2, errs
        | Error err -> exp, errs @ [ err ]
    match List.fold folder (e, []) assignments with
    | e2, [] -> Ok e2
    | _, errs -> Error errs

/// Overrides, then the plan.
let planWith (assignments: string list) (e: Experiment) =
    applyOverrides assignments e |> Result.bind Check.plan
