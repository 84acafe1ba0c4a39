/// Plots.fs: figures as typed Plotly.NET charts and layouts (scatter, lines, bars, heatmaps, contours, image grids), kept as plotly.js JSON.
module GenDsl.Dsl.Plots

open System
open System.Text.Json.Nodes
open Plotly.NET
open Plotly.NET.TraceObjects
open Plotly.NET.LayoutObjects

/// A plotly figure: `data` traces and a `layout`, with a file-safe id and a title.
type Figure = { Id: string; Title: string; Traces: JsonNode list; Layout: JsonObject }

/// The one trace of a Plotly.NET chart, as the plotly.js JSON a figure's `data` holds. UseDefaults = false on every chart
/// below keeps Plotly.NET's template out: the report's layout is the figure's own.
let private trace (chart: GenericChart) : JsonNode =
    (JsonNode.Parse(GenericChart.toFigureJson chart)).["data"].AsArray().[0].DeepClone()

let private symbol (name: string) =
    match name with
    | "circle" -> StyleParam.MarkerSymbol.Circle
    | "x" -> StyleParam.MarkerSymbol.X
    | "cross" -> StyleParam.MarkerSymbol.Cross
    | "diamond" -> StyleParam.MarkerSymbol.Diamond
    | "square" -> StyleParam.MarkerSymbol.Square
    | "triangle-up" -> StyleParam.MarkerSymbol.TriangleUp
    | "star" -> StyleParam.MarkerSymbol.Star
    | "pentagon" -> StyleParam.MarkerSymbol.Pentagon
    | other -> invalidArg "symbol" (sprintf "no marker symbol '%s' (circle, x, cross, diamond, square, triangle-up, star, pentagon)" other)

/// Points as markers.
let scatter (name: string) (xs: float seq) (ys: float seq) (size: float) (opacity: float) : JsonNode =
    Chart.Point(x = xs, y = ys, Name = name, Marker = Marker.init(Size = int (round size), Opacity = opacity), UseDefaults = false) |> trace

/// Points as large outlined markers of one symbol (e.g. fitted means).
let markers (name: string) (symbol': string) (xs: float seq) (ys: float seq) : JsonNode =
    Chart.Point(x = xs, y = ys, Name = name, UseDefaults = false,
                Marker = Marker.init(Size = 14, Symbol = symbol symbol', Outline = Line.init(Width = 2.0, Color = Color.fromString "black")))
    |> trace

/// A line through (x, y).
let line (name: string) (xs: float seq) (ys: float seq) : JsonNode =
    Chart.Line(x = xs, y = ys, Name = name, UseDefaults = false) |> trace

/// Bars with their values printed on them.
let bars (name: string) (labels: string seq) (values: float seq) : JsonNode =
    let vs = Seq.toArray values
    Chart.Column(values = vs, Keys = labels, Name = name, MultiText = (vs |> Array.map (fun v -> v.ToString("0.0000"))),
                 TextPosition = StyleParam.TextPosition.Auto, UseDefaults = false)
    |> trace

/// z.[row][col] over the grid (xs, ys) as a heatmap.
let heatmap (name: string) (xs: float seq) (ys: float seq) (z: float[][]) : JsonNode =
    Chart.Heatmap(zData = z, X = xs, Y = ys, Name = name, ColorScale = StyleParam.Colorscale.Viridis, UseDefaults = false) |> trace

/// Contour lines of z over the grid, drawn over a heatmap.
let contour (name: string) (xs: float seq) (ys: float seq) (z: float[][]) : JsonNode =
    Chart.Contour(zData = z, X = xs, Y = ys, Name = name, ShowScale = false, ContoursColoring = StyleParam.ContourColoring.Lines,
                  ShowContourLines = true, ContourLinesColor = Color.fromString "white", ContourLinesWidth = 0.5,   // plotly.js's default width
                  UseDefaults = false)
    |> trace

/// Bars at numeric positions with one width (e.g. a histogram normalised to a density).
let barsAt (name: string) (xs: float seq) (ys: float seq) (width: float) : JsonNode =
    Chart.Column(values = ys, Keys = xs, Name = name, Width = width, Opacity = 0.55,
                 MarkerOutline = Line.init(Width = 0.0), UseDefaults = false)
    |> trace

/// Labelled bars with symmetric error bars (e.g. estimates with +- 2 standard errors).
let barsWithErrors (name: string) (labels: string seq) (values: float seq) (errors: float seq) : JsonNode =
    Chart.Column(values = values, Keys = labels, Name = name, UseDefaults = false)
    |> Chart.withYErrorStyle (Array = errors, Visible = true)
    |> trace

/// A dashed line through (x, y) (e.g. a closed form drawn against a simulation).
let dashedLine (name: string) (xs: float seq) (ys: float seq) : JsonNode =
    Chart.Line(x = xs, y = ys, Name = name, LineDash = StyleParam.DrawingStyle.Dash, LineWidth = 2.5, UseDefaults = false) |> trace

/// A line with markers through (x, y) (e.g. a trajectory whose steps matter).
let path (name: string) (xs: float seq) (ys: float seq) : JsonNode =
    Chart.Line(x = xs, y = ys, Name = name, ShowMarkers = true, Marker = Marker.init(Size = 4), UseDefaults = false) |> trace

/// A heatmap of z (rows top to bottom) on the grid 1..columns x 1..rows with no colour bar.
let private grid (z: float[][]) (low: string) (high: string) (gap: int option) =
    let cols = if z.Length = 0 then 0 else z.[0].Length
    Chart.Heatmap(zData = z, X = [ for j in 1 .. cols -> float j ], Y = [ for i in 1 .. z.Length -> float i ], ShowScale = false,
                  ColorScale = StyleParam.Colorscale.Custom [ 0.0, Color.fromString low; 1.0, Color.fromString high ],
                  ?XGap = gap, ?YGap = gap, UseDefaults = false)
    |> GenericChart.mapTrace (Trace2DStyle.Heatmap(ZMin = 0.0, ZMax = 1.0))

/// A 0/1 grid (rows top to bottom) as cells with their value written in them (rounded: 0 or 1).
let cells (name: string) (z: float[][]) : JsonNode =
    grid z "#f2f2f2" "#3a6ed8" (Some 2)
    |> Chart.withTraceInfo (Name = name)
    |> GenericChart.mapTrace (Trace2DStyle.Heatmap(TextTemplate = "%{z:.0f}"))
    |> trace

/// A Plotly.NET layout as the plotly.js JSON a figure's `layout` holds (no template: UseDefaults off).
let private layoutJson (layout: Layout) : JsonObject =
    let chart = GenericChart.ofTraceObjects false ([]: Trace list) |> Chart.withLayout layout
    (JsonNode.Parse(GenericChart.toFigureJson chart)).["layout"].DeepClone().AsObject()

let private margin (top: int) (left: int) (right: int) (bottom: int) = Margin.init(Top = top, Left = left, Right = right, Bottom = bottom)

/// A figure with titled axes; `equalAxes` keeps one unit the same length on both (for point clouds).
let figure (id: string) (title: string) (xTitle: string) (yTitle: string) (equalAxes: bool) (traces: JsonNode list) =
    let yAxis =
        if equalAxes then LinearAxis.init(Title = Title.init(Text = yTitle), ScaleAnchor = StyleParam.ScaleAnchor.X 1, ScaleRatio = 1.0)
        else LinearAxis.init(Title = Title.init(Text = yTitle))
    let layout =
        Layout.init(Title = Title.init(Text = title), Height = 460, Margin = margin 50 60 20 50)
        |> Layout.setLegend (StyleParam.SubPlotId.Legend 1, Legend.init(Orientation = StyleParam.Orientation.Horizontal, Y = -0.18))
        |> Layout.setLinearAxis (StyleParam.SubPlotId.XAxis 1, LinearAxis.init(Title = Title.init(Text = xTitle)))
        |> Layout.setLinearAxis (StyleParam.SubPlotId.YAxis 1, yAxis)
    { Id = id; Title = title; Traces = traces; Layout = layoutJson layout }

/// One of a figure's two axes.
type Axis =
    | XAxis
    | YAxis

/// Merges a Plotly.NET axis into the figure's x or y axis (its title and the rest kept).
let private setAxis (axis: Axis) (a: LinearAxis) (f: Figure) =
    let id, key = match axis with XAxis -> StyleParam.SubPlotId.XAxis 1, "xaxis" | YAxis -> StyleParam.SubPlotId.YAxis 1, "yaxis"
    let parts = layoutJson (Layout.init () |> Layout.setLinearAxis (id, a))
    let target = match f.Layout.[key] with :? JsonObject as o -> o | _ -> (let o = JsonObject() in f.Layout.[key] <- o; o)
    for kv in [ for kv in parts.[key].AsObject() -> kv ] do target.[kv.Key] <- kv.Value.DeepClone()
    f

/// The axis on a log scale (values spanning decades: norms that grow geometrically, a bandwidth grid).
let logScale (axis: Axis) (f: Figure) = setAxis axis (LinearAxis.init(AxisType = StyleParam.AxisType.Log)) f

/// The y axis drawn over [lo, hi]; points outside are drawn off the plot (plotly's "autoscale" shows them all).
let yRange (lo: float) (hi: float) (f: Figure) = setAxis YAxis (LinearAxis.init(Range = StyleParam.Range.MinMax(lo, hi))) f

/// The y range for learning curves whose first steps would flatten the rest into a line (a loss falling from 540 to 100
/// in 50 of 3,000 steps, then to 86): what the curves do after their first 5% of steps, with a 5% margin, when the first
/// steps reach more than twice as far above it as that span; None when no such head stands out (autoscale is right).
let tailRange (curves: (float * float) list list) : (float * float) option =
    let pts = curves |> List.concat |> List.filter (fun (x, y) -> Double.IsFinite x && Double.IsFinite y)
    if pts.IsEmpty then None
    else
        let xs = pts |> List.map fst
        let cut = List.min xs + 0.05 * (List.max xs - List.min xs)
        match pts |> List.filter (fun (x, _) -> x >= cut) |> List.map snd with
        | [] -> None
        | tail ->
            let ys = pts |> List.map snd
            let lo, hi, top = min (List.min tail) (List.min ys), List.max tail, List.max ys
            let span = max (hi - lo) (1e-9 * max 1.0 (abs hi))
            if top - lo > 2.0 * span then Some(lo - 0.05 * span, hi + 0.05 * span) else None

/// Learning curves' figure with its y axis over `tailRange` of the curves when their first steps stand out.
let private zoomToTail (curves: (float * float) list list) (f: Figure) =
    match tailRange curves with
    | Some (lo, hi) -> yRange lo hi f
    | None -> f

/// Named curves of (step, value) as lines on one figure, zoomed to their tail when their first steps stand out.
let curves (id: string) (title: string) (xTitle: string) (yTitle: string) (named: (string * (float * float) list) list) =
    figure id title xTitle yTitle false [ for name, pts in named -> line name (pts |> List.map fst) (pts |> List.map snd) ]
    |> zoomToTail (List.map snd named)

/// Axes for a grid of cells (`cells`): row 1 at the top, one tick per cell, the plot no wider than the grid.
let cellAxes (f: Figure) =
    f
    |> setAxis XAxis (LinearAxis.init(Constrain = StyleParam.AxisConstraint.Domain, DTick = 1))
    |> setAxis YAxis (LinearAxis.init(AutoRange = StyleParam.AutoRange.Reversed, DTick = 1))

/// A horizontal reference line (e.g. an expected bound) across the whole plot.
let withHLine (y: float) (label: string) (f: Figure) =
    let shape = Shape.init(ShapeType = StyleParam.ShapeType.Line, Xref = "paper", X0 = 0.0, X1 = 1.0, Y0 = y, Y1 = y,
                           Line = Line.init(Dash = StyleParam.DrawingStyle.Dash, Color = Color.fromString "red"))
    let ann = Annotation.init(XRef = "paper", X = 1.0, Y = y, Text = label, ShowArrow = false,
                              XAnchor = StyleParam.XAnchorPosition.Right, YAnchor = StyleParam.YAnchorPosition.Bottom)
    let parts = layoutJson (Layout.init(Shapes = [ shape ], Annotations = [ ann ]))
    f.Layout.["shapes"] <- parts.["shapes"].DeepClone()
    f.Layout.["annotations"] <- parts.["annotations"].DeepClone()
    f

/// Images (each flat, row-major, height x width, values in [0, 1]) tiled `columns` to a row with a one-pixel grey
/// gutter, drawn as one grey-level heatmap with square pixels and the first row at the top.
let imageGrid (id: string) (title: string) (height: int) (width: int) (columns: int) (images: float[][]) =
    let cols = max 1 (min columns images.Length)
    let rows = (images.Length + cols - 1) / cols
    let hh, ww = rows * (height + 1) + 1, cols * (width + 1) + 1
    let z = Array.init hh (fun _ -> Array.create ww 0.5)
    images |> Array.iteri (fun k img ->
        let r0, c0 = 1 + (k / cols) * (height + 1), 1 + (k % cols) * (width + 1)
        for i in 0 .. height - 1 do
            for j in 0 .. width - 1 do
                z.[r0 + i].[c0 + j] <- img.[i * width + j])
    let layout =
        Layout.init(Title = Title.init(Text = title), Height = min 900 (max 260 (hh * 3 + 80)), Margin = margin 50 20 20 20)
        |> Layout.setLinearAxis (StyleParam.SubPlotId.XAxis 1, LinearAxis.init(Visible = false, Constrain = StyleParam.AxisConstraint.Domain))
        |> Layout.setLinearAxis (StyleParam.SubPlotId.YAxis 1,
                                 LinearAxis.init(Visible = false, AutoRange = StyleParam.AutoRange.Reversed, ScaleAnchor = StyleParam.ScaleAnchor.X 1, ScaleRatio = 1.0))
    { Id = id; Title = title; Traces = [ trace (grid z "black" "white" None) ]; Layout = layoutJson layout }

/// The figure as plotly JSON: {"data": [...], "layout": {...}}.
let toJson (f: Figure) =
    let root = JsonObject()
    root.["data"] <- JsonArray(f.Traces |> List.map (fun t -> t.DeepClone()) |> List.toArray)
    root.["layout"] <- f.Layout.DeepClone()
    root.ToJsonString()
