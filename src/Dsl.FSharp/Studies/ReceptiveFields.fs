/// Studies/ReceptiveFields.fs: the receptive-field study (Mila Q1) — its checks, memory estimate, run (masked-conv
/// nets with the core, fields by autograd) next to the hand derivation, claims, table, figures and summary.
module GenDsl.Dsl.ReceptiveFieldsStudy

open System
open System.Text.Json.Nodes
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Dsl.StudyCommon

let check (l: string) (r: ReceptiveFieldSpec) : DslError list =
    [ if r.Stacks.IsEmpty then EmptyStudy(l, "mask stacks")
      if r.Stacks |> List.exists List.isEmpty then EmptyStudy(l, "layers in one of its stacks")
      if r.Channels < 1 then NonPositiveStudySetting(l, "the hidden channels", float r.Channels)
      if r.Height < 1 || r.Width < 1 then NonPositiveStudySetting(l, "the map size", float (min r.Height r.Width))
      elif r.Row < 1 || r.Row > r.Height || r.Column < 1 || r.Column > r.Width then PixelOutsideMap(l, r.Row, r.Column, r.Height, r.Width) ]

/// Bytes at the peak: a few float32 activation maps per layer of the deepest stack.
let bytes (r: ReceptiveFieldSpec) =
    4.0 * float r.Height * float r.Width * float r.Channels * float (r.Stacks |> List.map List.length |> List.fold max 1) * float32Bytes

/// Per stack: (stack name, field by autograd, field by composing the masks' offsets), rows top to bottom.
type Outcome = { Spec: ReceptiveFieldSpec; Fields: (string * bool[][] * bool[][]) list }

/// The receptive field derived by hand: a masked 3x3 layer makes out(r, c) read (r, c-1) and (r+1, c-1..c+1), and
/// also (r, c) for type B; a stack composes these offsets from the last layer back, keeping only positions on the map
/// (zero padding stops a path through a position off the map). Rows top to bottom, 0-based pixel.
let handField (stack: MaskKind list) (height: int) (width: int) (row: int) (col: int) : bool[][] =
    let offsets m = [ (0, -1); (1, -1); (1, 0); (1, 1) ] @ (match m with MaskA -> [] | MaskB -> [ (0, 0) ])
    let inside (r, c) = r >= 0 && r < height && c >= 0 && c < width
    let field =
        List.foldBack (fun m (acc: Set<int * int>) ->
            set [ for (r, c) in acc do for (dr, dc) in offsets m do if inside (r + dr, c + dc) then (r + dr, c + dc) ]) stack (set [ row, col ])
    Array.init height (fun r -> Array.init width (fun c -> field.Contains(r, c)))

/// "AB" for [MaskA; MaskB].
let stackName (stack: MaskKind list) = String.Join("", stack |> List.map (fun m -> match m with MaskA -> "A" | MaskB -> "B"))

let private toRows (b: bool[,]) = Array.init (Array2D.length1 b) (fun i -> Array.init (Array2D.length2 b) (fun j -> b.[i, j]))

/// One masked-conv net per stack; the field of the (1-based) pixel by autograd, next to the hand derivation.
let run (seed: uint64) (r: ReceptiveFieldSpec) : Outcome =
    use g = new Generator(seed)
    let fields =
        [ for stack in r.Stacks ->
            let types = stack |> List.map (fun m -> match m with MaskA -> MaskType.A | MaskB -> MaskType.B) |> List.toArray
            let net = MaskedConvNet(types, r.Channels, 3, g)
            let auto = net.ReceptiveField(r.Height, r.Width, r.Row - 1, r.Column - 1) |> toRows
            stackName stack, auto, handField stack r.Height r.Width (r.Row - 1) (r.Column - 1) ]
    { Spec = r; Fields = fields }

let private grid (b: bool[][]) = String.Join(" / ", b |> Array.map (fun r -> String(r |> Array.map (fun x -> if x then '#' else '.'))))

/// The seed's claim: per stack, the autograd field equals the hand-derived one.
let claims (label: string) (o: Outcome) : (string * bool) list =
    let r = o.Spec
    [ for name, auto, hand in o.Fields ->
        claim label (sprintf "%s: the autograd receptive field of pixel (%d, %d) equals the hand-derived one (%d pixels)" name r.Row r.Column (auto |> Array.sumBy (Array.sumBy (fun b -> if b then 1 else 0)))),
        auto = hand ]

let tables (label: string) (o: Outcome) : Report.Table list =
    let r = o.Spec
    [ { Caption = sprintf "%s: receptive field of output pixel (%d, %d) on the %dx%d map ('#' = in the field), autograd vs hand-derived" label r.Row r.Column r.Height r.Width
        Headers = [ "masks"; "autograd"; "hand-derived" ]
        Rows = [ for name, auto, hand in o.Fields -> [ name; grid auto; grid hand ] ] } ]

let figures (label: string) (o: Outcome) : Plots.Figure list =
    let r = o.Spec
    [ for name, auto, _ in o.Fields ->
        let z = auto |> Array.map (Array.map (fun b -> if b then 1.0 else 0.0))
        Plots.figure (figureId label ("rf-" + name)) (sprintf "%s: masks %s, receptive field of output pixel (%d, %d)" label name r.Row r.Column) "column" "row" true [ Plots.cells name z ]
        |> Plots.cellAxes ]

let paragraph (o: Outcome) =
    let r = o.Spec
    sprintf "Two or more masked 3x3 convolutions with %d hidden channels and positive weights (no cancelling paths); the field is where d out(%d, %d) / d x is non-zero (1-based pixel, rows top to bottom)." r.Channels r.Row r.Column

let summary (label: string) (o: Outcome) : JsonNode =
    summaryOf label [ for name, auto, _ in o.Fields -> name, JsonArray(auto |> Array.map (fun r -> JsonValue.Create(String(r |> Array.map (fun b -> if b then '#' else '.'))) :> JsonNode)) :> JsonNode ]

/// This study's operations for the dispatcher (Studies.fs).
let ops (r: ReceptiveFieldSpec) : StudyOps =
    { Check = fun label -> check label r
      Bytes = fun () -> bytes r
      Run = fun seed label ->
          let o = run seed r
          { Claims = claims label o; Paragraph = paragraph o; Tables = tables label o; Figures = figures label o; Summary = summary label o } }
