/// Live.fs: the report of a run while it trains — live.js (the curves so far, each task's step and ETA, a heartbeat),
/// rewritten atomically every beat, and report.html as a page that reads it again and again (offline, no server): RUNNING
/// while the heartbeat is fresh, KILLED when it stops (the process died without a word), INTERRUPTED or FAILED when the
/// run says so; at the end the final report replaces the page, which then reloads into it. `gendsl watch` reads live.js.
module GenDsl.Dsl.Live

open System
open System.Collections.Generic
open System.Diagnostics
open System.IO
open System.Net
open System.Text.Json.Nodes
open GenDsl.Dsl.Runs

/// live.js is this prefix, one JSON object, then ";\n" (a script element can load it from file://, a reader strips it).
let prefix = "window.GENDSL_LIVE = "

/// At most this many points per curve in live.js: past it every other point is dropped and from then on only every
/// other step is kept (the stride doubles), so the kept points stay evenly spread over the whole curve; the latest
/// point is always shown.
let maxPoints = 2000

/// One curve: the kept points, every Stride-th reported one, and the latest.
type private Curve = { Points: ResizeArray<float * float>; mutable Stride: int; mutable Seen: int; mutable Last: float * float }

type private Task =
    { Name: string
      Total: int
      Clock: Stopwatch
      mutable Step: int
      /// The step before the first one this process reported (a resumed fit starts past its checkpoint).
      mutable Before: int option
      mutable Ended: bool
      Series: Dictionary<string, Curve> }

let private num (v: float) : JsonNode = if Double.IsFinite v then JsonValue.Create v else null

/// (steps per second, seconds left) of a task at its pace in this process.
let private rateEta (t: Task) =
    let secs = t.Clock.Elapsed.TotalSeconds
    let rate = if secs > 0.0 then float (t.Step - defaultArg t.Before 0) / secs else 0.0
    rate, (if rate > 0.0 then float (max 0 (t.Total - t.Step)) / rate else nan)

/// The live state of one run folder: wrap the run's progress with `Progress`, call `Finish` once at the end (or `Dispose`
/// to stop the heartbeat as a killed process would: the page then says KILLED once the heartbeat is stale).
type LiveReport(folder: string, title: string, name: string, plotlySrc: string, inner: IProgress, beat: TimeSpan) =
    let gate = obj ()
    let tasks = List<Task>()
    let started = DateTimeOffset.Now
    let mutable state = "RUNNING"
    let mutable message = ""
    let mutable stopped = false
    let jsonOf () =
        let o = JsonObject()
        o.["state"] <- JsonValue.Create state
        o.["message"] <- JsonValue.Create message
        o.["experiment"] <- JsonValue.Create name
        o.["title"] <- JsonValue.Create title
        o.["started"] <- JsonValue.Create(started.ToString("o"))
        o.["updated"] <- JsonValue.Create(DateTimeOffset.Now.ToString("o"))
        o.["updated_ms"] <- JsonValue.Create(DateTimeOffset.Now.ToUnixTimeMilliseconds())
        o.["beat_s"] <- JsonValue.Create beat.TotalSeconds
        // Three missed beats (15 s for a run's 5 s beat): the page calls a RUNNING run KILLED after that.
        o.["stale_after_s"] <- JsonValue.Create(3.0 * beat.TotalSeconds)
        let ts = JsonArray()
        for t in tasks do
            let rate, eta = rateEta t
            let x = JsonObject()
            x.["task"] <- JsonValue.Create t.Name
            x.["step"] <- JsonValue.Create t.Step
            x.["total"] <- JsonValue.Create t.Total
            x.["ended"] <- JsonValue.Create t.Ended
            x.["rate"] <- num rate
            x.["eta_s"] <- (if t.Ended then num 0.0 else num eta)
            x.["elapsed_s"] <- JsonValue.Create t.Clock.Elapsed.TotalSeconds
            let ms = JsonObject()
            for KeyValue(m, curve) in t.Series do
                let pts = if curve.Points.Count > 0 && curve.Points.[curve.Points.Count - 1] = curve.Last then List.ofSeq curve.Points else List.ofSeq curve.Points @ [ curve.Last ]
                let c = JsonObject()
                c.["x"] <- JsonArray(pts |> Seq.map (fun (s, _) -> JsonValue.Create s :> JsonNode) |> Seq.toArray)
                c.["y"] <- JsonArray(pts |> Seq.map (fun (_, v) -> num v) |> Seq.toArray)
                ms.[m] <- c
            x.["metrics"] <- ms
            ts.Add(x)
        o.["tasks"] <- ts
        o.ToJsonString()
    let write () =
        lock gate (fun () ->
            if not stopped then
                try RunFolder.writeText (RunFolder.within folder [ "live.js" ]) (prefix + jsonOf () + ";\n")
                with _ -> ())   // a full disk must not stop the training; the page then goes stale and says so
    let timer = new Threading.Timer((fun _ -> write ()), null, beat, beat)
    /// The latest task of that name (FindLastIndex, not Seq.tryFindBack, which copies the list: this runs every step).
    let find (task: string) =
        match tasks.FindLastIndex(fun t -> t.Name = task) with
        | -1 -> None
        | i -> Some tasks.[i]
    let progress =
        { new IProgress with
            member _.Begin(task, total) =
                lock gate (fun () -> tasks.Add { Name = task; Total = total; Clock = Stopwatch.StartNew(); Step = 0; Before = None; Ended = false; Series = Dictionary() })
                write ()
                inner.Begin(task, total)
            member _.Step(task, k, metrics) =
                let first =
                    lock gate (fun () ->
                        match find task with
                        | None -> false
                        | Some t ->
                            let first = t.Before.IsNone
                            if first then t.Before <- Some(max 0 (k - 1))
                            t.Step <- k
                            for m, v in metrics do
                                let c =
                                    match t.Series.TryGetValue m with
                                    | true, c -> c
                                    | _ -> (let c = { Points = ResizeArray(); Stride = 1; Seen = 0; Last = (float k, v) } in t.Series.[m] <- c; c)
                                c.Last <- (float k, v)
                                if c.Seen % c.Stride = 0 then c.Points.Add((float k, v))
                                c.Seen <- c.Seen + 1
                                if c.Points.Count > maxPoints then
                                    let kept = c.Points |> Seq.indexed |> Seq.filter (fun (i, _) -> i % 2 = 0) |> Seq.map snd |> Seq.toArray
                                    c.Points.Clear()
                                    c.Points.AddRange kept
                                    c.Stride <- c.Stride * 2
                            first)
                if first then write ()
                inner.Step(task, k, metrics)
            member _.End task =
                lock gate (fun () -> find task |> Option.iter (fun t -> t.Ended <- true; t.Clock.Stop()))
                write ()
                inner.End task }
    do
        RunFolder.writeText (RunFolder.within folder [ "report.html" ]) (LiveReport.Page(title, name, plotlySrc, "RUNNING", ""))
        write ()

    /// The progress to give the run: it updates live.js and passes everything on to `inner`.
    member _.Progress = progress

    /// The run's end: DONE (after the final report.html is in place: the page reloads into it), or INTERRUPTED or
    /// FAILED with a message (report.html becomes the page in that state, curves kept, nothing that looks complete).
    member _.Finish(final: string, text: string) =
        timer.Dispose()
        lock gate (fun () -> state <- final; message <- text)
        write ()
        if final <> "DONE" then
            RunFolder.writeText (RunFolder.within folder [ "report.html" ]) (LiveReport.Page(title, name, plotlySrc, final, text))
        lock gate (fun () -> stopped <- true)

    /// The live page: static text saying the state, then a script that loads live.js every beat and draws it.
    static member Page(title: string, name: string, plotlySrc: string, state: string, text: string) : string =
        let enc (s: string) = WebUtility.HtmlEncode s
        let cls = match state with "RUNNING" -> "running" | _ -> "stopped"
        let said =
            match state with
            | "RUNNING" -> "RUNNING — this page shows the curves so far and refreshes itself; it becomes the final report when the run ends."
            | "INTERRUPTED" -> "INTERRUPTED — the run stopped before its end: " + text
            | "FAILED" -> "FAILED — the run stopped with an error: " + text
            | s -> s + " " + text
        String.Join("\n",
            [ "<!DOCTYPE html>"
              "<html lang=\"en\"><head><meta charset=\"utf-8\">"
              "<title>" + enc state + " — " + enc title + "</title>"
              "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
              "#live-state{padding:.6em 1em;font-weight:600;border-radius:4px} .running{background:#fff6d6;border-left:6px solid #d8a200}"
              ".stopped{background:#fde7ea;border-left:6px solid #b00020} table{border-collapse:collapse;margin:.8em 0}"
              "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right} td:first-child,th:first-child{text-align:left}"
              ".plot{width:100%;min-height:380px}</style>"
              "<script src=\"" + enc plotlySrc + "\"></script>"
              "</head><body>"
              "<h1>" + enc title + "</h1>"
              "<p>experiment <code>" + enc name + "</code> · live report (live.js)</p>"
              "<div id=\"live-state\" class=\"" + cls + "\" data-state=\"" + enc state + "\">" + enc said + "</div>"
              "<table id=\"live-tasks\"><thead><tr><th>task</th><th>step</th><th>of</th><th>rate (steps/s)</th><th>ETA</th><th>latest</th></tr></thead><tbody></tbody></table>"
              "<div id=\"live-plots\"></div>"
              "<script>"
              "(function(){"
              "var fixed=" + (if state = "RUNNING" then "null" else "'" + state + "'") + ";"
              "function hms(s){if(s==null||!isFinite(s))return '?';s=Math.round(s);var h=Math.floor(s/3600),m=Math.floor(s%3600/60),x=s%60;return (h<10?'0':'')+h+':'+(m<10?'0':'')+m+':'+(x<10?'0':'')+x;}"
              "function esc(s){var d=document.createElement('span');d.textContent=String(s);return d.innerHTML;}"
              "function draw(){var L=window.GENDSL_LIVE;if(!L)return;var st=fixed||L.state;var age=(Date.now()-L.updated_ms)/1000;"
              " if(st==='RUNNING'&&age>L.stale_after_s)st='KILLED';"
              " if(st==='DONE'&&!fixed){location.reload();return;}"
              " var cur=null;L.tasks.forEach(function(t){if(!t.ended)cur=t;});"
              " var box=document.getElementById('live-state');box.setAttribute('data-state',st);box.className=st==='RUNNING'?'running':'stopped';"
              " if(st==='RUNNING')box.textContent='RUNNING — '+(cur?cur.task+' step '+cur.step+' of '+cur.total+', ETA '+hms(cur.eta_s):'starting')+' · updated '+Math.round(age)+' s ago; this page refreshes itself and becomes the final report at the end.';"
              " else if(st==='KILLED')box.textContent='KILLED — no update for '+Math.round(age)+' s (last at '+L.updated+'): the run\\'s process is gone without finishing; these curves are partial. `gendsl resume <folder>` continues it.';"
              " else box.textContent=st+' — '+(L.message||'')+' These curves are partial.';"
              " document.title=st+' — '+L.title;"
              " var rows='';L.tasks.forEach(function(t){var last=Object.keys(t.metrics).map(function(m){var y=t.metrics[m].y;return m+' '+(y.length?Number(y[y.length-1]).toPrecision(6):'');}).join(', ');"
              "  rows+='<tr><td>'+esc(t.task)+'</td><td>'+t.step+'</td><td>'+t.total+'</td><td>'+(t.rate==null?'':t.rate.toFixed(2))+'</td><td>'+(t.ended?'done':(st==='RUNNING'?hms(t.eta_s):'stopped'))+'</td><td>'+esc(last)+'</td></tr>';});"
              " document.querySelector('#live-tasks tbody').innerHTML=rows;"
              " var plots=document.getElementById('live-plots');var names={};L.tasks.forEach(function(t){Object.keys(t.metrics).forEach(function(m){names[m]=1;});});"
              " Object.keys(names).forEach(function(m,i){var id='live-plot-'+i;var div=document.getElementById(id);if(!div){div=document.createElement('div');div.id=id;div.className='plot';plots.appendChild(div);}"
              "  var traces=L.tasks.filter(function(t){return t.metrics[m];}).map(function(t){return {type:'scatter',mode:'lines+markers',marker:{size:3},name:t.task,x:t.metrics[m].x,y:t.metrics[m].y};});"
              "  if(window.Plotly)Plotly.react(div,traces,{title:{text:m+' so far'},xaxis:{title:{text:'step'}},yaxis:{title:{text:m}},margin:{t:40}},{displaylogo:false,responsive:true});});"
              " if(st!=='RUNNING'&&timer){clearInterval(timer);timer=null;}}"
              "function load(){var s=document.createElement('script');s.src='live.js?t='+Date.now();s.onload=function(){s.remove();draw();};s.onerror=function(){s.remove();};document.head.appendChild(s);}"
              "var timer=null;load();if(!fixed)timer=setInterval(load,2000);"
              "})();"
              "</script>"
              "</body></html>"
              "" ])

    interface IDisposable with
        member _.Dispose() =
            timer.Dispose()
            lock gate (fun () -> stopped <- true)

/// The JSON object of a run folder's live.js, or None (no live.js: a run made before it existed, or not a run folder).
let read (folder: string) : JsonNode option =
    let p = Path.Combine(folder, "live.js")
    if not (File.Exists p) then None
    else
        try
            let t = File.ReadAllText(p).Trim()
            if t.StartsWith prefix && t.EndsWith ";" then Some(JsonNode.Parse(t.Substring(prefix.Length, t.Length - prefix.Length - 1)))
            else None
        with _ -> None
