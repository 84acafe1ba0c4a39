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

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.MetricsLogTests" [
        Expecto.Tests.testCase "the metrics log writes whole lines: a fresh record waits in memory, Flush and Dispose write every one, values round-trip" ``the metrics log writes whole lines: a fresh record waits in memory, Flush and Dispose write every one, values round-trip``
    ]
