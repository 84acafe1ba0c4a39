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

/// The closest known key other than the key itself, if it is close enough to be a plausible typo; of equally close
/// ones, the one sharing more whole segments with the key ("fit.sgd.steps" -> "fits.sgd.steps", not "fits.gd.steps").
let suggest (key: string) (known: string list) =
    let segs (k: string) = set (k.Split('.'))
    known
    |> List.filter (fun k -> k <> key)
    |> List.map (fun k -> k, levenshtein (key.ToLowerInvariant()) (k.ToLowerInvariant()), -(Set.intersect (segs k) (segs key)).Count)
    |> List.sortBy (fun (_, d, shared) -> d, shared)
    |> List.tryHead
    |> Option.filter (fun (k, d, _) -> d <= max 2 (k.Length / 3))
    |> Option.map (fun (k, _, _) -> k)

/// A key's segments: split at dots, except inside double quotes or square brackets, which name a case or fit whose
/// label holds dots or '=' (`"lr=0.001".lr` or `[lr=0.001].lr`).
let keySegments (key: string) : string list =
    let segs = ResizeArray<string>()
    let cur = Text.StringBuilder()
    let mutable close = ' '
    for ch in key do
        if close <> ' ' then (if ch = close then close <- ' ' else cur.Append ch |> ignore)
        elif ch = '"' then close <- '"'
        elif ch = '[' then close <- ']'
        elif ch = '.' then (segs.Add(cur.ToString()); cur.Clear() |> ignore)
        else cur.Append ch |> ignore
    segs.Add(cur.ToString())
    List.ofSeq segs

/// A path as a key to type: segments holding '.' or '=' in square brackets.
let keyText (path: string list) =
    String.Join(".", path |> List.map (fun s -> if s.Contains '.' || s.Contains '=' then "[" + s + "]" else s))

/// Every parameter `--set` can change: (full path, current value as JSON text).
let parameters (e: Experiment) : (string * string) list =
    Tree.leaves (Tree.toNode e)
    |> List.map (fun l -> Tree.pathText l.Path, (match l.Node with null -> "none" | n -> n.ToJsonString()))

/// The closest full path or short form to a mistyped key, if close enough to be a typo.
let private suggestFor (key: string) (paths: string list list) =
    let n = (keySegments key).Length
    // Every short form of each path with as many segments as the key (segments in order, ending with the leaf:
    // "sgd.steps" for cases.p7.fits.sgd.budget.steps), and the whole path.
    let rec choose k (xs: string list) =
        if k = 0 then [ [] ]
        else
            match xs with
            | [] -> []
            | h :: t -> (choose (k - 1) t |> List.map (fun r -> h :: r)) @ choose k t
    // A key mistyped by a dot too many or too few (a label with a dot, typed without brackets) has one segment more or
    // fewer than the short form meant.
    let shortForms (p: string list) =
        [ for m in [ n - 1; n; n + 1 ] do
            if m >= 1 && m <= p.Length && m <= 4 then
                let leaf, front = List.last p, List.take (p.Length - 1) p
                yield! choose (m - 1) front |> List.map (fun f -> keyText (f @ [ leaf ])) ]
    let candidates = paths |> List.collect (fun p -> keyText p :: shortForms p) |> List.distinct
    suggest key candidates

/// Whether a leaf is the number of a fit's length (a Budget: {"steps": n} or {"epochs": n}): its budget, an interval, a
/// schedule's phase.
let private isLength (root: JsonNode) (l: Tree.Leaf) =
    match List.rev l.Path with
    | ("steps" | "epochs") :: parent when List.contains "fits" l.Path ->
        match Tree.nodeAt root (List.rev parent) with
        | Some (:? JsonObject as o) -> o.Count = 1
        | _ -> false
    | _ -> false

/// Whether a short key names a leaf: a length other than the fit's budget only when the key names its field
/// (`eval_every.steps`, `length.epochs`), so `sgd.steps` and `steps` name the budget alone, as they did before intervals
/// and a schedule's phases were lengths too.
let private namesLeaf (root: JsonNode) (k: string list) (l: Tree.Leaf) =
    match List.rev l.Path with
    | _ :: field :: _ when field <> "budget" && isLength root l -> k.Length >= 2 && k.[k.Length - 2] = field
    | _ -> true

/// Finds the leaves a key names; several leaves of one shape (the same setting in each case or fit) are all set,
/// leaves of different shapes are ambiguous.
let resolve (root: JsonNode) (key: string) : Result<Tree.Leaf list, DslError> =
    let k = keySegments key
    let all = Tree.leaves root
    let found = all |> List.filter (fun l -> l.Path = k)
    let found = if found.IsEmpty then all |> List.filter (fun l -> Tree.matches k l.Path && namesLeaf root k l) else found
    match found |> List.map (fun l -> l.Shape) |> List.distinct with
    | [] -> Error(UnknownOverride(key, suggestFor key (all |> List.map (fun l -> l.Path))))
    | [ _ ] -> Ok found
    | _ ->
        let names = found |> List.map (fun l -> keyText l.Path)
        Error(BadSetting("--set " + key, sprintf "ambiguous: it names %s; give more of the path" (String.Join(", ", names |> List.truncate 6))))

/// Leaves in several fits of one case that hold different values: setting them to one value would silently collapse
/// a sweep (say Fit.adam at 1e-3, 1e-2 and 1e-1) into one fit repeated. (case path, the fits' keys), if so.
let private collapsesSweep (leaves: Tree.Leaf list) =
    leaves
    |> List.groupBy (fun l -> match List.tryFindIndex ((=) "fits") l.Path with Some i -> List.take i l.Path | None -> l.Path)
    |> List.tryPick (fun (case, ls) ->
        let values = ls |> List.map (fun l -> match l.Node with null -> "none" | n -> n.ToJsonString()) |> List.distinct
        if ls.Length > 1 && values.Length > 1 && ls |> List.forall (fun l -> List.contains "fits" l.Path) then Some(case, ls |> List.map (fun l -> keyText l.Path))
        else None)

/// A length switched between steps and epochs: `--set budget.steps=500` on a fit whose budget is in epochs (or the
/// reverse) replaces the budget, as `Fit.adam lr (Steps 500)` would have written it; so for `eval_every.epochs=1` or a
/// schedule's `length.steps=100`. The leaves of the other unit the key names, when it names none of its own.
let private budgetSwitch (root: JsonNode) (key: string) =
    let k = keySegments key
    match List.rev k with
    | (("steps" | "epochs") as unit) :: rest ->
        let other = if unit = "steps" then "epochs" else "steps"
        let alt = keyText (List.rev (other :: rest))
        match resolve root key, resolve root alt with
        | Error (UnknownOverride _), Ok leaves when leaves |> List.forall (isLength root) -> Some(unit, leaves)
        | _ -> None
    | _ -> None

/// A length given as a bare number is in steps, as the intervals were before they could be given in epochs:
/// `--set eval_every=5` is `--set eval_every.steps=5` (whatever unit the interval had).
let private bareLength (root: JsonNode) (key: string) =
    let lengths k = match resolve root k with Ok leaves -> leaves |> List.forall (isLength root) | Error _ -> false
    match resolve root key with
    | Error (UnknownOverride _) when lengths (key + ".steps") || lengths (key + ".epochs") -> key + ".steps"
    | _ -> key

/// Whether `--set` knows the key in this experiment: it names leaves, a length in the other unit, or a length by its
/// field alone.
let knows (e: Experiment) (key: string) =
    let root = Tree.toNode e
    let key = bareLength root key
    match resolve root key with
    | Error (UnknownOverride _) -> (budgetSwitch root key).IsSome
    | _ -> true

let private applyOne (all: bool) (e: Experiment) (key: string, value: string) : Result<Experiment, DslError> =
    let root = Tree.toNode e
    let key = bareLength root key
    match budgetSwitch root key with
    | Some (unit, leaves) ->
        match Tree.parseValue leaves.Head.Node value with
        | Error exp -> Error(BadOverrideValue(key, value, exp))
        | Ok v ->
            for l in leaves do
                let budget = JsonObject()
                budget.[unit] <- (match v with null -> null | v -> v.DeepClone())
                Tree.setAt root (List.take (l.Path.Length - 1) l.Path) budget
            Tree.ofNodeLike e root |> Result.mapError (fun msg -> BadOverrideValue(key, value, msg))
    | None ->
    resolve root key
    |> Result.bind (fun leaves ->
        match collapsesSweep leaves with
        | Some (case, keys) when not all ->
            Error(BadSetting("--set " + key,
                             sprintf "it names %d fits of %s that now differ (%s): one value would make them one fit repeated; name one of them (e.g. --set %s=%s), or set them all with --set-all %s=%s"
                                 keys.Length (keyText case) (String.Join(", ", keys)) keys.Head value key value))
        | _ -> Ok leaves)
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

/// Splits "key=value" at the first '=' outside quotes and brackets (a label such as lr=0.001 is quoted in the key).
let parseAssignment (s: string) : Result<string * string, DslError> =
    let mutable close = ' '
    let mutable at = -1
    for i in 0 .. s.Length - 1 do
        let ch = s.[i]
        if at < 0 then
            if close <> ' ' then (if ch = close then close <- ' ')
            elif ch = '"' then close <- '"'
            elif ch = '[' then close <- ']'
            elif ch = '=' then at <- i
    match at with
    | i when i > 0 && s.IndexOf('=', i + 1) > 0 && not (s.Contains '[' || s.Contains '"') ->
        let j = s.LastIndexOf '='
        let key = s.Substring(0, j)
        let cut = key.LastIndexOf '.'
        let hint = if cut > 0 then sprintf "[%s]%s=%s" (key.Substring(0, cut)) (key.Substring cut) (s.Substring(j + 1)) else "[label].leaf=value"
        Error(BadSetting("--set " + s, sprintf "it has two '=': a case or fit label holding '=' or '.' goes in brackets, e.g. --set %s" hint))
    | i when i > 0 -> Ok(s.Substring(0, i).Trim(), s.Substring(i + 1).Trim())
    | _ -> Error(BadSetting("--set " + s, "expected key=value, e.g. sgd.steps=500 (a label with '.' or '=' goes in brackets: [lr=0.001].lr=0.01)"))

/// An assignment of `--set` (one setting, or several that hold one value) or `--set-all` (every setting the key names,
/// even fits of one case that now differ).
type Assignment =
    | One of string
    | All of string

/// Applies overrides in order; every bad one is reported.
let applyAssignments (assignments: Assignment list) (e: Experiment) : Result<Experiment, DslError list> =
    let folder (exp, errs) a =
        let all, text = match a with One t -> false, t | All t -> true, t
        match parseAssignment text |> Result.bind (applyOne all exp) with
        | Ok e2 -> e2, errs
        | Error err -> exp, errs @ [ err ]
    match List.fold folder (e, []) assignments with
    | e2, [] -> Ok e2
    | _, errs -> Error errs

/// Applies `--set key=value` overrides in order; every bad one is reported.
let applyOverrides (assignments: string list) (e: Experiment) = applyAssignments (List.map One assignments) e

/// Overrides, then the plan.
let planWith (assignments: string list) (e: Experiment) =
    applyOverrides assignments e |> Result.bind Check.plan

/// `--set` and `--set-all` overrides, then the plan.
let planWithAll (assignments: Assignment list) (e: Experiment) =
    applyAssignments assignments e |> Result.bind Check.plan
