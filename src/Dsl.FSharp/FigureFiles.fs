/// FigureFiles.fs: plotly figures (a run's plots/*.json) as PNG and SVG files for papers, drawn offline by plotly.js's
/// own Plotly.toImage in headless Chromium (the browser the report tests already use); no network, no server.
module GenDsl.Dsl.FigureFiles

open System
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions

/// The size every exported figure has: 640 x 400 CSS pixels (a figure column's width at about 100 px per inch);
/// the SVG says width="640" height="400", the PNG is drawn at scale 2: 1280 x 800 pixels (6.4 x 4 in at 200 dpi).
let width, height, pngScale = 640, 400, 2

/// One figure to draw: its plotly JSON ({"data": [...], "layout": {...}}) and the file names to write, without extension.
type Job = { Json: string; Target: string }

/// The headless browser: $GENDSL_CHROMIUM, else chromium, chromium-browser, google-chrome on the PATH.
let findChromium () : Result<string, string> =
    let env = Environment.GetEnvironmentVariable "GENDSL_CHROMIUM"
    if not (String.IsNullOrEmpty env) then
        if File.Exists env then Ok env else Error(sprintf "$GENDSL_CHROMIUM names '%s', which does not exist: point it at a Chromium or Chrome executable" env)
    else
        let dirs = (Environment.GetEnvironmentVariable "PATH" |> Option.ofObj |> Option.defaultValue "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        [ "chromium"; "chromium-browser"; "google-chrome"; "google-chrome-stable" ]
        |> List.tryPick (fun n -> dirs |> Array.tryPick (fun d -> let p = Path.Combine(d, n) in if File.Exists p then Some p else None))
        |> function
            | Some p -> Ok p
            | None -> Error "no headless browser found to draw the figures: install Debian's chromium (apt-get install chromium), or set $GENDSL_CHROMIUM to a Chromium or Chrome executable"

/// The page that draws every figure of figs.js to data URLs in <pre id="svg-i"> / <pre id="png-i"> (or <pre id="err-i">).
let private page (plotlySrc: string) =
    sprintf """<!DOCTYPE html><html><head><meta charset="utf-8"><script src="%s"></script><script src="figs.js"></script></head>
<body><div id="out"></div><script>
(async function(){var out=document.getElementById('out');
function put(id,text){var p=document.createElement('pre');p.id=id;p.textContent=text;out.appendChild(p);}
for(var i=0;i<FIGS.length;i++){var f=FIGS[i];(f.data||[]).forEach(function(t,k){if(t.uid==null)t.uid='t'+k;});var layout=Object.assign({},f.layout||{},{width:%d,height:%d,autosize:false});
 try{put('svg-'+i,await Plotly.toImage({data:f.data,layout:layout},{format:'svg',width:%d,height:%d}));
     put('png-'+i,await Plotly.toImage({data:f.data,layout:layout},{format:'png',width:%d,height:%d,scale:%d}));}
 catch(e){put('err-'+i,String(e));}}
put('done','');})();
</script></body></html>""" plotlySrc width height width height width height pngScale

let private pre (dom: string) (id: string) =
    let m = Regex.Match(dom, "<pre id=\"" + id + "\">(.*?)</pre>", RegexOptions.Singleline)
    if m.Success then Some(Net.WebUtility.HtmlDecode m.Groups.[1].Value) else None

/// The payload of a data URL: PNG bytes (base64) or SVG text (percent-encoded, or base64).
let private decode (url: string) : byte[] =
    let comma = url.IndexOf ','
    if comma < 0 then failwithf "not a data URL: %s" (url.Substring(0, min 60 url.Length))
    let head, body = url.Substring(0, comma), url.Substring(comma + 1)
    if head.EndsWith ";base64" then Convert.FromBase64String body
    else Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString body)

/// A start tag's style attribute and what surrounds it: (name)(before) style="(value)"(after)(/?)>.
let private styleInTag = Regex("<([A-Za-z][^\\s>/]*)([^>]*?) style=\"([^\"]*)\"([^>]*?)(/?)>", RegexOptions.Compiled)

/// plotly.js names each drawing's defs and clip paths with a random uid ("defs-3f2a1c", "clip3f2a1cxy"): replaced by one
/// derived from the file's name (and each trace gets uid t<k> before drawing), so the same figure exported again gives
/// the same bytes (no churn in the repository). Chromium also writes an element's style attribute before or after its
/// other attributes from one drawing to the next (the root's `style=""` around its viewBox, a legend's background and
/// scrollbar rectangles): empty style attributes go, and every other one moves to the end of its tag.
let stableIds (name: string) (svg: string) =
    let svg = styleInTag.Replace(svg.Replace(" style=\"\"", ""), "<$1$2$4 style=\"$3\"$5>")
    let m = Regex.Match(svg, "id=\"defs-([0-9a-z]+)\"")
    if not m.Success then svg
    else
        let uid = m.Groups.[1].Value
        let stable =
            use sha = Security.Cryptography.SHA1.Create()
            "g" + (sha.ComputeHash(Text.Encoding.UTF8.GetBytes name) |> Array.take 3 |> Array.map (fun b -> b.ToString("x2")) |> String.concat "")
        Regex.Replace(svg, "(?<=[A-Za-z-])" + Regex.Escape uid, stable)

/// Draws the jobs (in groups of 8 per browser start) and writes <Target>.png and <Target>.svg, each atomically; returns
/// the targets that could not be drawn, with why. `plotly`: plotly.min.js.
let render (chromium: string) (plotly: string) (jobs: Job list) : (string * string) list =
    let failures = Collections.Generic.List<string * string>()
    for group in List.chunkBySize 8 jobs do
        let dir = Path.Combine(Path.GetTempPath(), sprintf "gendsl-figures-%d-%s" Environment.ProcessId (Guid.NewGuid().ToString("N")))
        Directory.CreateDirectory dir |> ignore
        try
            File.Copy(plotly, Path.Combine(dir, "plotly.min.js"))
            File.WriteAllText(Path.Combine(dir, "figs.js"), "var FIGS=[" + String.Join(",\n", group |> List.map (fun j -> j.Json)) + "];\n")
            File.WriteAllText(Path.Combine(dir, "page.html"), page "plotly.min.js")
            let args =
                [ "--headless"; "--no-sandbox"; "--disable-gpu"; "--disable-quic"; "--no-first-run"; "--disable-background-networking"
                  "--disable-component-update"; "--disable-sync"; "--virtual-time-budget=120000"; "--user-data-dir=" + Path.Combine(dir, "profile")
                  "--dump-dom"; Uri(Path.Combine(dir, "page.html")).AbsoluteUri ]
            let psi = ProcessStartInfo(chromium, args, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
            use p = Process.Start psi
            p.StandardError.ReadToEndAsync() |> ignore
            let dom = p.StandardOutput.ReadToEnd()
            if not (p.WaitForExit 300000) then (try p.Kill true with _ -> ())
            let write (path: string) (bytes: byte[]) =
                Directory.CreateDirectory(Path.GetDirectoryName path) |> ignore
                let tmp = sprintf "%s.%d.tmp" path Environment.ProcessId
                File.WriteAllBytes(tmp, bytes)
                File.Move(tmp, path, true)
            group |> List.iteri (fun i j ->
                match pre dom (sprintf "svg-%d" i), pre dom (sprintf "png-%d" i) with
                | Some svg, Some png ->
                    try
                        write (j.Target + ".svg") (Text.Encoding.UTF8.GetBytes(stableIds (Path.GetFileName j.Target) (Text.Encoding.UTF8.GetString(decode svg))))
                        write (j.Target + ".png") (decode png)
                    with ex -> failures.Add((j.Target, ex.Message))
                | _ ->
                    let why = match pre dom (sprintf "err-%d" i) with Some e -> "plotly.js: " + e | None -> "the browser returned no image (it may have run out of time)"
                    failures.Add((j.Target, why)))
        finally
            try Directory.Delete(dir, true) with _ -> ()
    List.ofSeq failures

/// (width, height) of a PNG file from its IHDR chunk, or None if it is not a PNG.
let pngSize (path: string) : (int * int) option =
    let b = File.ReadAllBytes path
    let sig' = [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy; 0x0Duy; 0x0Auy; 0x1Auy; 0x0Auy |]
    if b.Length < 24 || b.[0..7] <> sig' then None
    else
        let be (i: int) = (int b.[i] <<< 24) ||| (int b.[i + 1] <<< 16) ||| (int b.[i + 2] <<< 8) ||| int b.[i + 3]
        Some(be 16, be 20)

/// (width, height) of an SVG file's root element, or None if it is not an SVG with numeric width and height.
let svgSize (path: string) : (int * int) option =
    try
        let x = Xml.Linq.XDocument.Load path
        let r = x.Root
        if r.Name.LocalName <> "svg" then None
        else
            let num (n: string) = match r.Attribute(Xml.Linq.XName.Get n) with null -> None | a -> (match Double.TryParse(a.Value.Replace("px", ""), Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture) with true, v -> Some(int (round v)) | _ -> None)
            match num "width", num "height" with
            | Some w, Some h -> Some(w, h)
            | _ -> None
    with _ -> None
