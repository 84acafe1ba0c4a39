/// MetricsLogTests.fs: the run's metrics log keeps records in memory and writes them as whole lines — on Flush, on Dispose,
/// and a short while after they were written — with the same rows and values as before.
module GenDsl.Tests.Dsl.MetricsLogTests

open System.IO
open System.Text.Json.Nodes
open Xunit
open GenDsl.Dsl

let private read (path: string) =
    use fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)
    use r = new StreamReader(fs)
    r.ReadToEnd()

let ``the metrics log writes whole lines: a fresh record waits in memory, Flush and Dispose write every one, values round-trip`` () =
    let dir = GenDsl.Tests.Support.newTempDir "metricslog"
    let csv, jsonl = Path.Combine(dir, "metrics.csv"), Path.Combine(dir, "metrics.jsonl")
    let log = new Runs.MetricsLog(csv, jsonl, false)
    Assert.Equal("case,fit,step,metric,value,seconds\n", read csv)   // the header at once
    log.Write("c", "f", 1L, 0.5, [ "loss", 0.1 + 0.2 ])
    // written within 0.2 s of the first unwritten record, not at once (per-step writes were the DSL's cost per step)
    Assert.Equal("case,fit,step,metric,value,seconds\n", read csv)
    Assert.Equal("", read jsonl)
    log.Flush()
    Assert.Equal("case,fit,step,metric,value,seconds\nc,f,1,loss,0.30000000000000004,0.5\n", read csv)
    Assert.Equal(0.1 + 0.2, JsonNode.Parse((read jsonl).TrimEnd('\n')).["loss"].GetValue<float>())
    for s in 2L .. 400L do log.Write("c", "f", s, 0.5, [ "loss", float s ])
    (log :> System.IDisposable).Dispose()
    let lines = (read jsonl).Split('\n', System.StringSplitOptions.RemoveEmptyEntries)
    Assert.Equal(400, lines.Length)
    Assert.Equal<int64 list>([ 1L .. 400L ], [ for l in lines -> JsonNode.Parse(l).["step"].GetValue<int64>() ])
    Assert.Equal(401, (read csv).Split('\n', System.StringSplitOptions.RemoveEmptyEntries).Length)

let ``metrics.jsonl holds each record as the JSON object of its keys: escaped names, non-finite values as strings, a metric repeating a key replaces it`` () =
    let dir = GenDsl.Tests.Support.newTempDir "metricslog"
    let csv, jsonl = Path.Combine(dir, "metrics.csv"), Path.Combine(dir, "metrics.jsonl")
    let records =
        [ "c", "f", 1L, 0.25, [ "loss", 1e-5; "lr", 0.001 ]
          "c\"q", "f é", 2L, 1.5, [ "valid nll", nan; "<x>", infinity; "g", -123456789.125 ]
          "c", "f", 3L, 0.5, [ "step", 7.0; "loss", 2.0; "loss", 3.0 ] ]   // clashing names: the last value wins
    let log = new Runs.MetricsLog(csv, jsonl, false)
    for case, fit, step, secs, ms in records do log.Write(case, fit, step, secs, ms)
    (log :> System.IDisposable).Dispose()
    let expected =
        [ for case, fit, step, secs, ms in records ->
            let o = JsonObject()
            o.["case"] <- JsonValue.Create case
            o.["fit"] <- JsonValue.Create fit
            o.["step"] <- JsonValue.Create step
            o.["seconds"] <- JsonValue.Create secs
            for name, v in ms do o.[name] <- (if System.Double.IsFinite v then JsonValue.Create v else JsonValue.Create(string v))
            o.ToJsonString() ]
    Assert.Equal<string list>(expected, (read jsonl).Split('\n', System.StringSplitOptions.RemoveEmptyEntries) |> List.ofArray)
    let third = JsonNode.Parse(List.last expected)
    Assert.Equal((7.0, 3.0), (third.["step"].GetValue<float>(), third.["loss"].GetValue<float>()))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.MetricsLogTests" [
        Expecto.Tests.testCase "metrics.jsonl holds each record as the JSON object of its keys: escaped names, non-finite values as strings, a metric repeating a key replaces it" ``metrics.jsonl holds each record as the JSON object of its keys: escaped names, non-finite values as strings, a metric repeating a key replaces it``
        Expecto.Tests.testCase "the metrics log writes whole lines: a fresh record waits in memory, Flush and Dispose write every one, values round-trip" ``the metrics log writes whole lines: a fresh record waits in memory, Flush and Dispose write every one, values round-trip``
    ]
