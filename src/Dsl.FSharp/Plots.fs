/// Plots.fs: plotly.js figure specs built as JSON (scatter, lines, bars, heatmap with contours).
module GenDsl.Dsl.Plots

open System.Text.Json.Nodes

/// A plotly figure: `data` traces and a `layout`, with a file-safe id and a title.
type Figure = { Id: string; Title: string; Traces: JsonNode list; Layout: JsonObject }

let private nums (xs: float seq) : JsonNode = JsonArray(xs |> Seq.map (fun x -> JsonValue.Create x :> JsonNode) |> Seq.toArray)
let private strs (xs: string seq) : JsonNode = JsonArray(xs |> Seq.map (fun x -> JsonValue.Create x :> JsonNode) |> Seq.toArray)
let private o (fields: (string * JsonNode) list) =
    let x = JsonObject()
    for k, v in fields do x.[k] <- v
    x
let private s (v: string) : JsonNode = JsonValue.Create v
let private n (v: float) : JsonNode = JsonValue.Create v

/// Points as markers.
let scatter (name: string) (xs: float seq) (ys: float seq) (size: float) (opacity: float) : JsonNode =
    o [ "type", s "scatter"; "mode", s "markers"; "name", s name; "x", nums xs; "y", nums ys
        "marker", o [ "size", n size; "opacity", n opacity ] ]

/// Points as large outlined markers of one symbol (e.g. fitted means).
let markers (name: string) (symbol: string) (xs: float seq) (ys: float seq) : JsonNode =
    o [ "type", s "scatter"; "mode", s "markers"; "name", s name; "x", nums xs; "y", nums ys
        "marker", o [ "size", n 14.0; "symbol", s symbol; "line", o [ "width", n 2.0; "color", s "black" ] ] ]

/// A line through (x, y).
let line (name: string) (xs: float seq) (ys: float seq) : JsonNode =
    o [ "type", s "scatter"; "mode", s "lines"; "name", s name; "x", nums xs; "y", nums ys ]

/// Bars with their values printed on them.
let bars (name: string) (labels: string seq) (values: float seq) : JsonNode =
    let vs = Seq.toArray values
    o [ "type", s "bar"; "name", s name; "x", strs labels; "y", nums vs
        "text", strs (vs |> Array.map (fun v -> v.ToString("0.0000"))); "textposition", s "auto" ]

/// z.[row][col] over the grid (xs, ys) as a heatmap.
let heatmap (name: string) (xs: float seq) (ys: float seq) (z: float[][]) : JsonNode =
    o [ "type", s "heatmap"; "name", s name; "x", nums xs; "y", nums ys
        "z", JsonArray(z |> Array.map (fun r -> nums r)); "colorscale", s "Viridis" ]

/// Contour lines of z over the grid, drawn over a heatmap.
let contour (name: string) (xs: float seq) (ys: float seq) (z: float[][]) : JsonNode =
    o [ "type", s "contour"; "name", s name; "x", nums xs; "y", nums ys
        "z", JsonArray(z |> Array.map (fun r -> nums r)); "showscale", JsonValue.Create false
        "contours", o [ "coloring", s "lines" ]; "line", o [ "color", s "white" ] ]

/// Bars at numeric positions with one width (e.g. a histogram normalised to a density).
let barsAt (name: string) (xs: float seq) (ys: float seq) (width: float) : JsonNode =
    o [ "type", s "bar"; "name", s name; "x", nums xs; "y", nums ys; "width", n width; "opacity", n 0.55
        "marker", o [ "line", o [ "width", n 0.0 ] ] ]

/// Labelled bars with symmetric error bars (e.g. estimates with +- 2 standard errors).
let barsWithErrors (name: string) (labels: string seq) (values: float seq) (errors: float seq) : JsonNode =
    o [ "type", s "bar"; "name", s name; "x", strs labels; "y", nums values
        "error_y", o [ "type", s "data"; "array", nums errors; "visible", JsonValue.Create true ] ]

/// A dashed line through (x, y) (e.g. a closed form drawn against a simulation).
let dashedLine (name: string) (xs: float seq) (ys: float seq) : JsonNode =
    o [ "type", s "scatter"; "mode", s "lines"; "name", s name; "x", nums xs; "y", nums ys; "line", o [ "dash", s "dash"; "width", n 2.5 ] ]

/// A line with markers through (x, y) (e.g. a trajectory whose steps matter).
let path (name: string) (xs: float seq) (ys: float seq) : JsonNode =
    o [ "type", s "scatter"; "mode", s "lines+markers"; "name", s name; "x", nums xs; "y", nums ys; "marker", o [ "size", n 4.0 ] ]

/// A 0/1 grid (rows top to bottom) as cells with their value written in them.
let cells (name: string) (z: float[][]) : JsonNode =
    o [ "type", s "heatmap"; "name", s name
        "x", nums [ for j in 1 .. (if z.Length = 0 then 0 else z.[0].Length) -> float j ]; "y", nums [ for i in 1 .. z.Length -> float i ]
        "z", JsonArray(z |> Array.map (fun r -> nums r)); "zmin", n 0.0; "zmax", n 1.0
        "colorscale", JsonArray([| JsonArray([| n 0.0; s "#f2f2f2" |]) :> JsonNode; JsonArray([| n 1.0; s "#3a6ed8" |]) |])
        "showscale", JsonValue.Create false; "xgap", n 2.0; "ygap", n 2.0
        "text", JsonArray(z |> Array.map (fun r -> strs (r |> Array.map (fun v -> if v > 0.5 then "1" else "0")))); "texttemplate", s "%{text}" ]

/// Sets (or replaces) one layout entry of an axis, e.g. `withAxis "yaxis" "type" "log"`.
let withAxis (axisName: string) (key: string) (value: JsonNode) (f: Figure) =
    match f.Layout.[axisName] with
    | :? JsonObject as a -> a.[key] <- value
    | _ -> f.Layout.[axisName] <- o [ key, value ]
    f

let private axis (title: string) (extra: (string * JsonNode) list) =
    o ([ "title", o [ "text", s title ] ] @ extra)

/// A figure with titled axes; `equalAxes` keeps one unit the same length on both (for point clouds).
let figure (id: string) (title: string) (xTitle: string) (yTitle: string) (equalAxes: bool) (traces: JsonNode list) =
    let yExtra = if equalAxes then [ "scaleanchor", s "x"; "scaleratio", n 1.0 ] else []
    let layout =
        o [ "title", o [ "text", s title ]; "xaxis", axis xTitle []; "yaxis", axis yTitle yExtra
            "height", n 460.0; "margin", o [ "t", n 50.0; "l", n 60.0; "r", n 20.0; "b", n 50.0 ]
            "legend", o [ "orientation", s "h"; "y", n -0.18 ] ]
    { Id = id; Title = title; Traces = traces; Layout = layout }

/// A horizontal reference line (e.g. an expected bound) across the whole plot.
let withHLine (y: float) (label: string) (f: Figure) =
    let shape = o [ "type", s "line"; "xref", s "paper"; "x0", n 0.0; "x1", n 1.0; "y0", n y; "y1", n y; "line", o [ "dash", s "dash"; "color", s "red" ] ]
    let ann = o [ "xref", s "paper"; "x", n 1.0; "y", n y; "text", s label; "showarrow", JsonValue.Create false; "xanchor", s "right"; "yanchor", s "bottom" ]
    f.Layout.["shapes"] <- JsonArray([| shape :> JsonNode |])
    f.Layout.["annotations"] <- JsonArray([| ann :> JsonNode |])
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
    let trace =
        o [ "type", s "heatmap"; "z", JsonArray(z |> Array.map (fun r -> nums r)); "zmin", n 0.0; "zmax", n 1.0
            "colorscale", JsonArray([| JsonArray([| n 0.0; s "black" |]) :> JsonNode; JsonArray([| n 1.0; s "white" |]) |])
            "showscale", JsonValue.Create false ]
    let hidden extra = o ([ "visible", JsonValue.Create false ] @ extra)
    let layout =
        o [ "title", o [ "text", s title ]; "xaxis", hidden [ "constrain", s "domain" ]
            "yaxis", hidden [ "autorange", s "reversed"; "scaleanchor", s "x"; "scaleratio", n 1.0 ]
            "height", n (float (min 900 (max 260 (hh * 3 + 80)))); "margin", o [ "t", n 50.0; "l", n 20.0; "r", n 20.0; "b", n 20.0 ] ]
    { Id = id; Title = title; Traces = [ trace ]; Layout = layout }

/// The figure as plotly JSON: {"data": [...], "layout": {...}}.
let toJson (f: Figure) =
    let root = JsonObject()
    root.["data"] <- JsonArray(f.Traces |> List.map (fun t -> t.DeepClone()) |> List.toArray)
    root.["layout"] <- f.Layout.DeepClone()
    root.ToJsonString()
