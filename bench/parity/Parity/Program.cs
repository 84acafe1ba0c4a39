// Program.cs: runs every case of cases.json through GenDsl.Core (same raw inputs as PyTorch) and writes results.json + results.bin for parity.py check.
//
//   Parity <folder>   reads <folder>/cases.json and inputs.bin, writes <folder>/results.json and results.bin
using System.Reflection;
using System.Text.Json.Nodes;
using GenDsl.Torch;
using Parity;
using TorchT = GenDsl.Torch.Torch;

var folder = args.Length == 1 ? args[0] : throw new ArgumentException("usage: Parity <folder with cases.json and inputs.bin>");
var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "cases.json")))!.AsObject();
var raw = RawTensors.Read(Path.Combine(folder, "inputs.bin"), spec["tensors"]!.AsObject());
using var writer = new RawWriter(Path.Combine(folder, "results.bin"));
var results = new JsonArray();
var unresolved = new SortedSet<string>();
var trace = Environment.GetEnvironmentVariable("PARITY_TRACE") == "1";  // each case's id on stderr before it runs (to find a crash)

foreach (var node in spec["cases"]!.AsArray())
{
    var c = node!.AsObject();
    var id = (int)c["id"]!;
    var r = new JsonObject { ["id"] = id };
    if (trace) Console.Error.WriteLine($"case {id} {c["op"]}");
    using (Scope.Begin())
    {
        var live = new Dictionary<string, Tensor>();
        var gradNames = c["grad"]!.AsArray().Select(n => (string)n!).ToArray();
        var permNames = c["perm"]!.AsArray().Select(n => (string)n!).ToHashSet();
        // A fresh input (requiring grad when listed), passed as a non-contiguous view (dims reversed back) when listed in perm.
        Tensor In(string n)
        {
            if (live.TryGetValue(n, out var t)) return t;
            var (dt, shape, bytes) = raw[n];
            var b = RawTensors.Make(dt, shape, bytes).RequiresGrad_(gradNames.Contains(n));
            return live[n] = permNames.Contains(n) ? b.Permute(Enumerable.Range(0, shape.Length).Reverse().Select(i => (long)i).ToArray()) : b;
        }
        foreach (var n in gradNames) In(n);
        var gens = new List<Generator>();
        object? Decode(JsonNode? v)
        {
            if (v is null) return null;
            var o = v.AsObject();
            var (k, x) = o.First();
            switch (k)
            {
                case "t": return In((string)x!);
                case "ts": return x!.AsArray().Select(n => n is null ? null : In((string)n!)).ToArray();
                case "ints": return x!.AsArray().Select(n => (long)n!).ToArray();
                case "b": return (bool)x!;
                case "i": return (long)x!;
                case "f": return x!.GetValueKind() != System.Text.Json.JsonValueKind.String ? (double)x!
                    : (string)x! switch { "inf" => double.PositiveInfinity, "-inf" => double.NegativeInfinity, _ => double.NaN };
                case "dtype": return Enum.Parse<ScalarType>((string)x!);
                case "gen": { var g = new Generator((ulong)(long)x!); gens.Add(g); return g; }
                case "enum": return new EnumArg((string)x!);
                case "s": return (string)x!;
                default: throw new ArgumentException($"unknown argument kind '{k}'");
            }
        }
        var op = (string)c["op"]!;
        try
        {
            var pos = c["args"]!.AsArray().Select(Decode).ToArray();
            var named = c["kwargs"]!.AsObject().ToDictionary(kv => kv.Key, kv => Decode(kv.Value));
            var outs = Invoke.Flatten(Invoke.Call(op, pos, named)).ToList();
            var enc = new JsonArray();
            for (var k = 0; k < outs.Count; k++)
                enc.Add(outs[k] switch
                {
                    null => null,
                    Tensor t => new JsonObject { ["t"] = writer.Add($"r{id}_{k}", t) },
                    ScalarType s => new JsonObject { ["dtype"] = s.ToString() },
                    _ => throw new InvalidOperationException(),
                });
            r["outs"] = enc;
            var ins = gradNames.Select(In).ToArray();
            var diff = outs.Select((o, k) => (o, k)).Where(p => p.o is Tensor t && t.RequiresGrad).ToList();
            if (ins.Length > 0 && diff.Count > 0)
            {
                try
                {
                    var second = ins.All(t => t.Dtype == ScalarType.Float64);
                    var ws = diff.Select(p => Weights((Tensor)p.o!, p.k)).ToArray();
                    var gs = Autograd.Grad(diff.Select(p => (Tensor)p.o!).ToArray(), ins, ws, allowUnused: true, createGraph: second);
                    r["grads"] = new JsonArray(gs.Select((g, k) => g is null ? null : (JsonNode)writer.Add($"r{id}_g{k}", g)).ToArray());
                    // float64 cases: second derivatives, as parity.py (weights from output index 5 + k)
                    var diff2 = gs.Select((g, k) => (g, k)).Where(p => p.g is { RequiresGrad: true }).ToList();
                    if (second && diff2.Count > 0)
                    {
                        try
                        {
                            var g2 = Autograd.Grad(diff2.Select(p => p.g!).ToArray(), ins, diff2.Select(p => Weights(p.g!, 5 + p.k)).ToArray(), allowUnused: true);
                            r["grads2"] = new JsonArray(g2.Select((g, k) => g is null ? null : (JsonNode)writer.Add($"r{id}_h{k}", g)).ToArray());
                        }
                        catch (Exception e) { r["grad2_error"] = Message(e); }
                    }
                }
                catch (Exception e) { r["grad_error"] = Message(e); }
            }
        }
        catch (NoOverloadException e) { r["error"] = e.Message; r["unresolved"] = true; unresolved.Add(op); }
        catch (Exception e) { r["error"] = Message(e); }
        foreach (var g in gens) g.Dispose();
    }
    results.Add(r);
}

var covered = spec["ops"]!.AsArray().Select(n => (string)n!).ToHashSet();
var output = new JsonObject
{
    ["cases"] = results, ["tensors"] = writer.Manifest,
    ["unresolved"] = new JsonArray(unresolved.Select(s => (JsonNode)s).ToArray()),
    ["uncovered"] = new JsonArray(Inventory.Members().Where(m => !covered.Contains(m)).Select(s => (JsonNode)s).ToArray()),
};
writer.Dispose();
File.WriteAllText(Path.Combine(folder, "results.json"), output.ToJsonString());
Console.WriteLine($"ran {results.Count} cases through GenDsl.Core");

static string Message(Exception e) => $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";

// w_i = ((7 i + 3 k) mod 11 - 5) / 4 for output k: exact in every float dtype, the same weights parity.py uses.
static Tensor Weights(Tensor o, int k)
{
    var n = o.NumEl;
    var w = new double[n];
    for (long i = 0; i < n; i++) w[i] = ((7 * i + 3 * k) % 11 - 5) / 4.0;
    using var d = TorchT.Tensor<double>(w.AsSpan(), o.Shape);
    return d.To(o.Dtype);
}

/// <summary>The public members a parity line could name, less those with nothing to compare (lifetime, IO, devices, runtime settings).</summary>
static class Inventory
{
    static readonly HashSet<string> Skip = new()
    {
        "Tensor.Dispose", "Tensor.IsDisposed", "Tensor.MoveToOuterScope", "Tensor.DetachFromScope", "Tensor.ToString", "Tensor.Equals",
        "Tensor.GetHashCode", "Tensor.GetType", "Tensor.Device", "Tensor.Cuda", "Tensor.CopyTo", "Tensor.ToArray", "Tensor.Item",
        "Tensor.RequiresGrad", "Tensor.RequiresGrad_", "Tensor.Grad", "Tensor.IsLeaf", "Tensor.RetainGrad", "Tensor.Backward",
        "Torch.NumThreads", "Torch.CudaDeviceCount", "Torch.CudaIsAvailable", "Torch.Version", "Torch.ManualSeed", "Torch.GetRngState",
        "Torch.SetRngState", "Torch.Tensor", "Torch.Save", "Torch.Load", "Functional.ClipGradNorm_",
    };

    public static IEnumerable<string> Members()
    {
        var names = new SortedSet<string>();
        foreach (var (cls, type) in Invoke.Classes)
        {
            foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                if (!m.IsSpecialName || m.Name.StartsWith("op_") || m.Name == "get_At") names.Add($"{cls}.{m.Name}");
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                if (p.GetIndexParameters().Length == 0) names.Add($"{cls}.{p.Name}");
        }
        return names.Where(n => !Skip.Contains(n));
    }
}
