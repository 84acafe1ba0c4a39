/// Studies/Common.fs: what every study file shares — the operations a study gives the dispatcher (Studies.fs), what
/// its run gives the report, and the helpers several studies use (checks, number formats, JSON, tensors to arrays).
module GenDsl.Dsl.StudyCommon

open System
open System.Globalization
open System.Text.Json.Nodes
open GenDsl.Torch

/// What a study's run gives the run folder: the seed's claims (claim, held), the report section's paragraph, tables
/// and figures, and its entry in summary.json.
type StudyOutput =
    { Claims: (string * bool) list
      Paragraph: string
      Tables: Report.Table list
      Figures: Plots.Figure list
      Summary: JsonNode }

/// One study kind's operations on its spec: its errors before it runs (given its label), its estimated peak memory in
/// bytes, and its run (given the experiment's seed and its label). Each Studies/<Kind>.fs makes one with its `ops`.
type StudyOps =
    { Check: string -> DslError list
      Bytes: unit -> float
      Run: uint64 -> string -> StudyOutput }

// ---- checks ----

/// One DuplicateName error per name that occurs more than once (also the experiment's cases, fits and studies).
let duplicates what (names: string list) =
    names |> List.countBy id |> List.filter (fun (_, n) -> n > 1) |> List.map (fun (x, _) -> DuplicateName(what, x))

/// A NonPositiveStudySetting error unless v > 0.
let positive (label: string) (what: string) (v: float) =
    [ if not (v > 0.0) then NonPositiveStudySetting(label, what, v) ]

// ---- memory estimates ----

/// Bytes of one float64 and of one float32 number.
let float64Bytes, float32Bytes = 8.0, 4.0

// ---- numbers and text ----

/// Four decimals, invariant culture: "0.1234".
let f4 (x: float) = x.ToString("0.0000", CultureInfo.InvariantCulture)
/// Six significant digits, invariant culture.
let g6 (x: float) = x.ToString("G6", CultureInfo.InvariantCulture)
/// A figure id safe as a file name: letters, digits and '-' kept, anything else '_'.
let safe (s: string) = String(s.ToCharArray() |> Array.map (fun ch -> if Char.IsLetterOrDigit ch || ch = '-' then ch else '_'))
/// The id of a study's figure: "<label>-<name>", file-safe.
let figureId (label: string) (name: string) = safe (label + "-" + name)

/// A claim's text in the run's expectations: "study <label>: <text>".
let claim (label: string) (text: string) = sprintf "study %s: %s" label text

/// Kolmogorov-Smirnov: sqrt(n) sup_x |F_n(x) - F(x)| for sorted samples and the CDF evaluated at them.
let ks (sorted: float[]) (cdf: float[]) =
    let n = float sorted.Length
    let d = cdf |> Array.mapi (fun i f -> max (float (i + 1) / n - f) (f - float i / n)) |> Array.max
    sqrt n * d

// ---- summary JSON ----

/// A number for summary.json; NaN and infinities as their text (JSON has no literal for them).
let num (x: float) : JsonNode = if Double.IsFinite x then JsonValue.Create x else JsonValue.Create(string x)
let nums (xs: float seq) : JsonNode = JsonArray(xs |> Seq.map num |> Seq.toArray)
/// A JSON object with these fields in this order.
let fields (xs: (string * JsonNode) list) : JsonNode =
    let x = JsonObject()
    for k, v in xs do x.[k] <- v
    x :> JsonNode
/// A study's summary entry: its label first, then its fields.
let summaryOf (label: string) (xs: (string * JsonNode) list) = fields (("label", JsonValue.Create label :> JsonNode) :: xs)

// ---- tensors ----

let f64 = ScalarType.Float64
/// A tensor's values as float64, flattened, on the CPU.
let flat (t: Tensor) : float[] = t.To(f64).Cpu().ToArray<float>()
/// n evenly spaced points from lo to hi, both included.
let linspace (lo: float) (hi: float) (n: int) = Array.init n (fun i -> lo + (hi - lo) * float i / float (n - 1))
/// A 1-D float64 tensor of the values.
let ofArray (xs: float[]) = Torch.Tensor<float>(xs)
