/// Tree.fs: pure — any experiment value as a JSON tree and back, by reflection over its records and unions, and the
/// settable paths of that tree: the one vocabulary that `describe` prints and `--set` accepts.
module GenDsl.Dsl.Tree

open System
open System.Globalization
open System.Text.Json
open System.Text.Json.Nodes
open Microsoft.FSharp.Reflection

/// "LearnWeights" -> "learn_weights", "NInit" -> "n_init", "Cse599iP7" -> "cse599i_p7".
let snake (name: string) =
    let sb = Text.StringBuilder()
    for i in 0 .. name.Length - 1 do
        let c = name.[i]
        if Char.IsUpper c && i > 0 then
            let prev = name.[i - 1]
            let nextLower = i + 1 < name.Length && Char.IsLower name.[i + 1]
            if Char.IsLower prev || Char.IsDigit prev || (Char.IsUpper prev && nextLower) then sb.Append '_' |> ignore
        sb.Append(Char.ToLowerInvariant c) |> ignore
    sb.ToString()

/// A JSON value that does not fit the type at a path: (path, what was expected there).
exception DecodeError of path: string * expected: string

let private isOption (t: Type) = t.IsGenericType && t.GetGenericTypeDefinition() = typedefof<option<_>>
let private isList (t: Type) = t.IsGenericType && t.GetGenericTypeDefinition() = typedefof<list<_>>
let private isUnion (t: Type) = FSharpType.IsUnion(t, true) && not (isOption t) && not (isList t)
let private cases (t: Type) = FSharpType.GetUnionCases(t, true)

type private CaseForm =
    | Bare
    | RecordCase
    | SingleValue
    | Fields

/// How a union case is written: no fields -> its name as a string; one record field -> {"kind": name, ...the record};
/// one other field -> {name: value}; several fields -> {"kind": name, field: value, ...}.
let private caseForm (c: UnionCaseInfo) =
    match c.GetFields() with
    | [||] -> Bare
    | [| f |] when FSharpType.IsRecord(f.PropertyType, true) -> RecordCase
    | [| _ |] -> SingleValue
    | _ -> Fields

let private fieldName (p: Reflection.PropertyInfo) = snake p.Name

let private num (x: float) : JsonNode =
    if Double.IsFinite x then JsonValue.Create x
    elif Double.IsNaN x then JsonValue.Create "nan"
    elif x > 0.0 then JsonValue.Create "inf"
    else JsonValue.Create "-inf"

/// The value as JSON (every field present, so every default is explicit).
let rec encode (t: Type) (v: obj) : JsonNode =
    if t = typeof<float> then num (unbox<float> v)
    elif t = typeof<int> then JsonValue.Create(unbox<int> v)
    elif t = typeof<uint64> then JsonValue.Create(unbox<uint64> v)
    elif t = typeof<bool> then JsonValue.Create(unbox<bool> v)
    elif t = typeof<string> then JsonValue.Create(unbox<string> v)
    elif isOption t then
        match v with
        | null -> null
        | _ -> let _, fs = FSharpValue.GetUnionFields(v, t) in encode (t.GetGenericArguments().[0]) fs.[0]
    elif isList t then
        let et = t.GetGenericArguments().[0]
        JsonArray([| for x in (v :?> Collections.IEnumerable) -> encode et x |])
    elif t = typeof<CustomModel> then
        // A model written in a script: its name and its hyperparameters' fields (its code is the script's).
        let m = v :?> CustomModel
        let r = JsonObject()
        r.["name"] <- JsonValue.Create m.Name
        match encode m.HyperType m.Hyperparameters with
        | :? JsonObject as o ->
            for kv in List.ofSeq o do
                o.Remove kv.Key |> ignore
                r.[kv.Key] <- kv.Value
        | _ -> invalidArg "v" (sprintf "model '%s': its hyperparameters must be an F# record, got %s" m.Name m.HyperType.Name)
        r
    elif FSharpType.IsRecord(t, true) then
        let o = JsonObject()
        for p in FSharpType.GetRecordFields(t, true) do o.[fieldName p] <- encode p.PropertyType (p.GetValue v)
        o
    elif isUnion t then
        let c, fs = FSharpValue.GetUnionFields(v, t, true)
        let ps = c.GetFields()
        match caseForm c with
        | Bare -> JsonValue.Create(snake c.Name)
        | RecordCase ->
            let o = encode ps.[0].PropertyType fs.[0] :?> JsonObject
            let r = JsonObject()
            r.["kind"] <- JsonValue.Create(snake c.Name)
            for kv in List.ofSeq o do
                o.Remove kv.Key |> ignore
                r.[kv.Key] <- kv.Value
            r
        | SingleValue ->
            let r = JsonObject()
            r.[snake c.Name] <- encode ps.[0].PropertyType fs.[0]
            r
        | Fields ->
            let r = JsonObject()
            r.["kind"] <- JsonValue.Create(snake c.Name)
            for p, x in Array.zip ps fs do r.[fieldName p] <- encode p.PropertyType x
            r
    else invalidArg "t" (sprintf "Tree.encode: no JSON form for %s" t.Name)

/// What a value of type t looks like, for error messages.
let rec expected (t: Type) =
    if t = typeof<float> then "a finite number"
    elif t = typeof<int> then "an integer"
    elif t = typeof<uint64> then "a non-negative integer"
    elif t = typeof<bool> then "true or false"
    elif t = typeof<string> then "a string"
    elif isOption t then expected (t.GetGenericArguments().[0]) + " or none"
    elif isList t then "a list"
    elif isUnion t then
        let names = cases t |> Array.map (fun c -> match caseForm c with Bare -> snake c.Name | _ -> snake c.Name + " {...}")
        "one of " + String.Join(", ", names)
    else "an object"

let private at (path: string) (key: string) = if path = "" then key else path + "." + key

/// The JSON back as a value of type t; a mismatch raises DecodeError naming the path and what was expected. `orig`
/// (or null) is the value the JSON was made from: a model written in a script takes its code from it.
let rec decodeLike (t: Type) (path: string) (orig: obj) (node: JsonNode) : obj =
    let fail () = raise (DecodeError(path, expected t))
    let value () = match node with :? JsonValue as v -> v | _ -> fail ()
    let number () =
        let v = value ()
        match v.GetValueKind() with
        | JsonValueKind.Number -> v.GetValue<float>()
        | JsonValueKind.String ->
            match v.GetValue<string>() with
            | "nan" -> nan
            | "inf" -> infinity
            | "-inf" -> -infinity
            | _ -> fail ()
        | _ -> fail ()
    if t = typeof<float> then box (number ())
    elif t = typeof<int> then
        let x = number ()
        if Double.IsFinite x && x = Math.Round x && abs x <= float Int32.MaxValue then box (int x) else fail ()
    elif t = typeof<uint64> then
        let v = value ()
        if v.GetValueKind() <> JsonValueKind.Number then fail ()
        match v.TryGetValue<uint64>() with
        | true, x -> box x
        | _ -> fail ()
    elif t = typeof<bool> then
        let v = value ()
        match v.GetValueKind() with
        | JsonValueKind.True -> box true
        | JsonValueKind.False -> box false
        | _ -> fail ()
    elif t = typeof<string> then
        let v = value ()
        if v.GetValueKind() = JsonValueKind.String then box (v.GetValue<string>()) else fail ()
    elif isOption t then
        let c = cases t
        match node with
        | null -> FSharpValue.MakeUnion(c.[0], [||], true)
        | _ ->
            let inner = if isNull orig then null else (snd (FSharpValue.GetUnionFields(orig, t, true))).[0]
            FSharpValue.MakeUnion(c.[1], [| decodeLike (t.GetGenericArguments().[0]) path inner node |], true)
    elif isList t then
        let et = t.GetGenericArguments().[0]
        let items = match node with :? JsonArray as a -> List.ofSeq a | _ -> fail ()
        let c = cases t
        let empty = FSharpValue.MakeUnion(c.[0], [||], true)
        // Items decoded first to last, so an error names the first bad one.
        let origs = if isNull orig then [||] else [| for x in (orig :?> Collections.IEnumerable) -> x |]
        // The original of an item: the one with its label or name (a run of some cases), else the one at its index.
        let keyOf (o: obj) =
            if isNull o || not (FSharpType.IsRecord(o.GetType(), true)) then None
            else
                FSharpType.GetRecordFields(o.GetType(), true)
                |> Array.tryFind (fun p -> (p.Name = "Label" || p.Name = "Name") && p.PropertyType = typeof<string>)
                |> Option.map (fun p -> p.GetValue o :?> string)
        let nodeKey (x: JsonNode) =
            match x with
            | :? JsonObject as o ->
                match o.["label"], o.["name"] with
                | (:? JsonValue as v), _ | _, (:? JsonValue as v) when v.GetValueKind() = JsonValueKind.String -> Some(v.GetValue<string>())
                | _ -> None
            | _ -> None
        let origOf (i: int) (x: JsonNode) =
            match nodeKey x with
            | Some k -> origs |> Array.tryFind (fun o -> keyOf o = Some k) |> Option.toObj
            | None -> if i < origs.Length then origs.[i] else null
        let decoded = items |> List.mapi (fun i x -> decodeLike et (sprintf "%s[%d]" path i) (origOf i x) x)
        List.foldBack (fun x acc -> FSharpValue.MakeUnion(c.[1], [| x; acc |], true)) decoded empty
    elif t = typeof<CustomModel> then
        match orig with
        | :? CustomModel as m ->
            let o = match node with :? JsonObject as o -> o | _ -> fail ()
            let inner = JsonObject()
            for kv in o do
                if kv.Key <> "name" && kv.Key <> "kind" then inner.[kv.Key] <- (match kv.Value with null -> null | x -> x.DeepClone())
            box { m with Hyperparameters = decodeLike m.HyperType path m.Hyperparameters inner }
        | _ -> raise (DecodeError(path, "a model written in a script: its code comes from the script, so read this config together with it"))
    elif t = typeof<Budget> && (node :? JsonValue) then
        // A bare number is steps: intervals were numbers of steps in the config.json of runs made before any length
        // could be given in epochs, and such runs are resumed and sampled from it.
        box (Steps(unbox<int> (decodeLike typeof<int> path null node)))
    elif FSharpType.IsRecord(t, true) then
        let o = match node with :? JsonObject as o -> o | _ -> fail ()
        let fields =
            FSharpType.GetRecordFields(t, true)
            |> Array.map (fun p ->
                let k = fieldName p
                if not (o.ContainsKey k) && not (isOption p.PropertyType) then raise (DecodeError(at path k, "a value (the field is missing)"))
                decodeLike p.PropertyType (at path k) (if isNull orig then null else p.GetValue orig) o.[k])
        FSharpValue.MakeRecord(t, fields, true)
    elif isUnion t then
        let byName name = cases t |> Array.tryFind (fun c -> snake c.Name = name)
        match node with
        | :? JsonValue as v when v.GetValueKind() = JsonValueKind.String ->
            match byName (v.GetValue<string>()) with
            | Some c when caseForm c = Bare -> FSharpValue.MakeUnion(c, [||], true)
            | _ -> fail ()
        | :? JsonObject as o ->
            let kind = match o.["kind"] with :? JsonValue as k when k.GetValueKind() = JsonValueKind.String -> Some(k.GetValue<string>()) | _ -> None
            match kind |> Option.bind byName with
            | Some c ->
                let ps = c.GetFields()
                // The original's fields when it is the same case (a model written in a script needs its code).
                let origField (i: int) =
                    if isNull orig then null
                    else
                        let oc, ofs = FSharpValue.GetUnionFields(orig, t, true)
                        if oc.Tag = c.Tag then ofs.[i] else null
                match caseForm c with
                | RecordCase ->
                    let inner = JsonObject()
                    for kv in o do
                        if kv.Key <> "kind" then inner.[kv.Key] <- (match kv.Value with null -> null | x -> x.DeepClone())
                    FSharpValue.MakeUnion(c, [| decodeLike ps.[0].PropertyType path (origField 0) inner |], true)
                | Fields ->
                    // A schedule's length was a number named `steps` before lengths could be given in epochs (P8's
                    // {"kind": "hold", "steps": 436, ...}): such configs read back with it as the length in steps.
                    let nodeOf (p: Reflection.PropertyInfo) =
                        let k = fieldName p
                        if not (o.ContainsKey k) && p.PropertyType = typeof<Budget> && o.ContainsKey "steps" then o.["steps"] else o.[k]
                    FSharpValue.MakeUnion(c, ps |> Array.mapi (fun i p -> decodeLike p.PropertyType (at path (fieldName p)) (origField i) (nodeOf p)), true)
                | Bare -> FSharpValue.MakeUnion(c, [||], true)
                | SingleValue -> fail ()
            | None ->
                match List.ofSeq o with
                | [ kv ] ->
                    match byName kv.Key with
                    | Some c when caseForm c = SingleValue ->
                        let inner =
                            if isNull orig then null
                            else
                                let oc, ofs = FSharpValue.GetUnionFields(orig, t, true)
                                if oc.Tag = c.Tag then ofs.[0] else null
                        FSharpValue.MakeUnion(c, [| decodeLike (c.GetFields().[0].PropertyType) (at path kv.Key) inner kv.Value |], true)
                    | _ -> fail ()
                | _ -> fail ()
        | _ -> fail ()
    else fail ()

let decode (t: Type) (path: string) (node: JsonNode) : obj = decodeLike t path null node

let toNode<'T> (v: 'T) = encode typeof<'T> (box v)

let private options = JsonSerializerOptions(WriteIndented = true, Encoder = Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)

let toJson<'T> (v: 'T) = (toNode v).ToJsonString(options)

/// Parses JSON written by toJson (or edited by hand) back to a 'T, or says where it does not fit; `like` (or null) is
/// the value it was written from, which gives models written in a script their code.
let ofJsonLike<'T> (like: obj) (json: string) : Result<'T, string> =
    try Ok(decodeLike typeof<'T> "" like (JsonNode.Parse json) :?> 'T)
    with
    | DecodeError (p, e) -> Error(sprintf "%s: expected %s" (if p = "" then "the top level" else p) e)
    | :? JsonException as ex -> Error(sprintf "not JSON: %s" ex.Message)

let ofJson<'T> (json: string) : Result<'T, string> = ofJsonLike<'T> null json

/// A tree (built by toNode from `like` and edited) back to a value; through its text, so every number reads alike.
let ofNodeLike<'T> (like: 'T) (node: JsonNode) : Result<'T, string> = ofJsonLike<'T> (box like) (node.ToJsonString())

// ---- settable paths ----

/// A leaf of the tree that `--set` can change: its path segments (list items named by their "label" or "name"),
/// the same path with list items as "*" (two paths of one shape mean the same setting in different items), and its value.
type Leaf = { Path: string list; Shape: string list; Node: JsonNode }

let private itemKey (i: int) (x: JsonNode) =
    match x with
    | :? JsonObject as o ->
        match o.["label"], o.["name"] with
        | (:? JsonValue as v), _ | _, (:? JsonValue as v) when v.GetValueKind() = JsonValueKind.String -> v.GetValue<string>()
        | _ -> string i
    | _ -> string i

/// Every settable leaf: numbers, booleans, strings and nulls under objects (not "kind", "label", "name", and not
/// inside lists of plain values such as data points).
let leaves (root: JsonNode) : Leaf list =
    let rec go (path: string list) (shape: string list) (node: JsonNode) =
        [ match node with
          | :? JsonObject as o ->
              for kv in o do
                  match kv.Value with
                  | null -> { Path = path @ [ kv.Key ]; Shape = shape @ [ kv.Key ]; Node = null }
                  | :? JsonValue as v ->
                      // A union's "kind" and an item's "label"/"name" identify things; they are not settings.
                      if kv.Key <> "kind" && kv.Key <> "label" && kv.Key <> "name" then
                          { Path = path @ [ kv.Key ]; Shape = shape @ [ kv.Key ]; Node = v }
                  | child -> yield! go (path @ [ kv.Key ]) (shape @ [ kv.Key ]) child
          | :? JsonArray as a ->
              for i, x in Seq.indexed a do
                  match x with
                  | :? JsonObject -> yield! go (path @ [ itemKey i x ]) (shape @ [ "*" ]) x
                  | _ -> ()
          | _ -> () ]
    go [] [] root

let pathText (p: string list) = String.Join(".", p)

/// Whether the key's segments appear in the path in order, the key's last being the path's last
/// ("sgd.steps" matches "cases.p7.fits.sgd.budget.steps").
let matches (key: string list) (path: string list) =
    let rec sub k p =
        match k, p with
        | [], _ -> true
        | _, [] -> false
        | kh :: kt, ph :: pt -> if kh = ph then sub kt pt else sub k pt
    match List.tryLast key, List.tryLast path with
    | Some a, Some b when a = b -> sub key path
    | _ -> false

/// The node at a path (a list item by its key), if the path leads to one.
let nodeAt (root: JsonNode) (path: string list) : JsonNode option =
    let rec go (node: JsonNode) (p: string list) =
        match p, node with
        | [], n -> Option.ofObj n
        | h :: t, (:? JsonObject as o) -> if o.ContainsKey h then go o.[h] t else None
        | h :: t, (:? JsonArray as a) -> a |> Seq.indexed |> Seq.tryFind (fun (i, x) -> itemKey i x = h) |> Option.bind (fun (_, x) -> go x t)
        | _ -> None
    go root path

/// Replaces the node at a path (a list item by its key) in place.
let setAt (root: JsonNode) (path: string list) (value: JsonNode) =
    let rec go (node: JsonNode) (p: string list) =
        match p, node with
        | [ last ], (:? JsonObject as o) -> o.[last] <- value
        | h :: t, (:? JsonObject as o) -> go o.[h] t
        | h :: t, (:? JsonArray as a) ->
            let item = a |> Seq.indexed |> Seq.tryFind (fun (i, x) -> itemKey i x = h) |> Option.map snd
            match item with
            | Some x -> go x t
            | None -> invalidArg "path" (pathText path)
        | _ -> invalidArg "path" (pathText path)
    go root path

/// The text a user typed after '=' as a JSON value of the same kind as the current one (a string stays a string).
let parseValue (current: JsonNode) (text: string) : Result<JsonNode, string> =
    let t = text.Trim()
    let nonFinite = set [ "inf"; "+inf"; "-inf"; "infinity"; "+infinity"; "-infinity"; "nan"; "+nan"; "-nan"; "∞"; "-∞" ]
    let asNumber () =
        if nonFinite.Contains(t.ToLowerInvariant()) then Error "a finite number" else
        match Double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture) with
        | true, x when Double.IsFinite x -> Ok(JsonNode.Parse(t.TrimStart('+')))
        | true, _ -> Error "a finite number"
        | _ -> Error "a number"
    let lower = t.ToLowerInvariant()
    match current with
    | :? JsonValue as v when v.GetValueKind() = JsonValueKind.String -> Ok(JsonValue.Create t :> JsonNode)
    | :? JsonValue as v when v.GetValueKind() = JsonValueKind.True || v.GetValueKind() = JsonValueKind.False ->
        match lower with
        | "true" | "yes" | "1" -> Ok(JsonValue.Create true :> JsonNode)
        | "false" | "no" | "0" -> Ok(JsonValue.Create false :> JsonNode)
        | _ -> Error "true or false"
    | :? JsonValue -> asNumber ()
    | _ ->
        if lower = "none" || lower = "null" then Ok null
        elif lower = "true" || lower = "false" then
            let b = (lower = "true")
            Ok(JsonValue.Create b :> JsonNode)
        else
            match asNumber () with
            | Ok n -> Ok n
            | Error "a finite number" -> Error "a finite number"
            | Error _ -> Ok(JsonValue.Create t :> JsonNode)
