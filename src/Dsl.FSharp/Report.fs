/// Report.fs: pure — the run's report.html (config, final metrics, expectations, every plot, run time, seed, versions).
module GenDsl.Dsl.Report

open System
open System.Net
open System.Text

type Table = { Caption: string; Headers: string list; Rows: string list list }

/// One part of the report: text, tables and figures about one case (or the whole experiment).
type Section = { Heading: string; Paragraphs: string list; Tables: Table list; Figures: Plots.Figure list }

type ReportModel =
    { Title: string
      Name: string
      Seed: uint64
      Started: DateTimeOffset
      WallSeconds: float
      Versions: (string * string) list
      ConfigJson: string
      FinalMetrics: Table
      /// (claim, held)
      Expectations: (string * bool) list
      Notes: string list
      Sections: Section list }

let private enc (s: string) = WebUtility.HtmlEncode s

let private table (sb: StringBuilder) (t: Table) =
    sb.Append("<table><caption>").Append(enc t.Caption).Append("</caption><thead><tr>") |> ignore
    for h in t.Headers do sb.Append("<th>").Append(enc h).Append("</th>") |> ignore
    sb.Append("</tr></thead><tbody>") |> ignore
    for r in t.Rows do
        sb.Append("<tr>") |> ignore
        for c in r do sb.Append("<td>").Append(enc c).Append("</td>") |> ignore
        sb.Append("</tr>") |> ignore
    sb.Append("</tbody></table>\n") |> ignore

/// JSON placed inside a <script> element: "</" would end the element early.
let private scriptSafe (json: string) = json.Replace("</", "<\\/")

let private figure (sb: StringBuilder) (f: Plots.Figure) =
    let id = "plot-" + f.Id
    sb.AppendFormat("<div class=\"plot\" id=\"{0}\"></div>\n", id) |> ignore
    sb.AppendFormat("<script>(function(){{var f={0};Plotly.newPlot('{1}',f.data,f.layout,{{responsive:true,displaylogo:false}});}})();</script>\n",
                    scriptSafe (Plots.toJson f), id) |> ignore

let private css = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.8em 0} caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right;font-variant-numeric:tabular-nums} th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}
.meta{color:#555} .ok{color:#11772b;font-weight:600} .bad{color:#b00020;font-weight:600}
.plot{width:100%;min-height:460px;margin:1em 0} details pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:.85em}
.note{background:#f5f8ff;border-left:4px solid #3a6ed8;padding:.5em 1em}
"""

/// Collects script errors and console.error calls into #console-errors (hidden), so a headless browser sees them in the DOM.
let private errorCatcher = """<script>
(function(){var errs=[];function put(m){errs.push(String(m));var e=document.getElementById('console-errors');if(e){e.textContent=errs.join('\n');}}
window.addEventListener('error',function(ev){put('error: '+ev.message);});
var ce=console.error;console.error=function(){put('console.error: '+Array.prototype.join.call(arguments,' '));ce.apply(console,arguments);};})();
</script>"""

/// The whole page; `plotlySrc` is the (relative) path of plotly.min.js, which sits next to the page so it works offline.
let render (m: ReportModel) (plotlySrc: string) : string =
    let sb = StringBuilder()
    let ap (s: string) = sb.Append(s) |> ignore
    ap "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    ap ("<title>" + enc m.Title + "</title>\n<style>" + css + "</style>\n" + errorCatcher + "\n")
    ap ("<script src=\"" + enc plotlySrc + "\"></script>\n</head><body>\n")
    ap "<pre id=\"console-errors\" hidden></pre>\n"
    ap ("<h1>" + enc m.Title + "</h1>\n")
    ap (sprintf "<p class=\"meta\">experiment <code>%s</code> · seed %d · started %s · run time %.2f s</p>\n"
            (enc m.Name) m.Seed (m.Started.ToString("yyyy-MM-dd HH:mm:ss zzz")) m.WallSeconds)
    if not m.FinalMetrics.Rows.IsEmpty then
        ap "<h2>Final metrics</h2>\n"
        table sb m.FinalMetrics
    if not m.Expectations.IsEmpty then
        ap "<h2>Expectations</h2>\n<ul>\n"
        for claim, held in m.Expectations do
            ap (sprintf "<li><span class=\"%s\">%s</span> %s</li>\n" (if held then "ok" else "bad") (if held then "holds" else "FAILS") (enc claim))
        ap "</ul>\n"
    if not m.Notes.IsEmpty then
        ap "<h2>Interpretation</h2>\n"
        for n in m.Notes do ap ("<p class=\"note\">" + enc n + "</p>\n")
    for s in m.Sections do
        ap ("<h2>" + enc s.Heading + "</h2>\n")
        for p in s.Paragraphs do ap ("<p>" + enc p + "</p>\n")
        for t in s.Tables do table sb t
        for f in s.Figures do figure sb f
    ap "<h2>Configuration</h2>\n<details><summary>resolved config (config.json)</summary><pre>"
    ap (enc m.ConfigJson)
    ap "</pre></details>\n<h2>Versions</h2>\n"
    table sb { Caption = ""; Headers = [ "component"; "version" ]; Rows = m.Versions |> List.map (fun (k, v) -> [ k; v ]) }
    ap "</body></html>\n"
    sb.ToString()
