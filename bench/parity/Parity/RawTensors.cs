// RawTensors.cs: tensors as raw little-endian bytes plus a JSON manifest (name -> dtype, shape, offset) — the format parity.py reads and writes.
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using GenDsl.Torch;

namespace Parity;

static class RawTensors
{
    /// <summary>Reads every tensor the manifest lists from the file's bytes.</summary>
    public static Dictionary<string, (string Dtype, long[] Shape, byte[] Bytes)> Read(string path, JsonObject manifest)
    {
        var data = File.ReadAllBytes(path);
        var d = new Dictionary<string, (string, long[], byte[])>();
        foreach (var (name, m) in manifest)
        {
            var off = (long)m!["offset"]!;
            var n = (long)m["nbytes"]!;
            var shape = m["shape"]!.AsArray().Select(v => (long)v!).ToArray();
            d[name] = ((string)m["dtype"]!, shape, data.AsSpan((int)off, (int)n).ToArray());
        }
        return d;
    }

    /// <summary>A fresh tensor from raw bytes (little-endian, as on every machine .NET runs this on).</summary>
    public static Tensor Make(string dtype, long[] shape, byte[] b) => dtype switch
    {
        "float32" => Torch.Tensor<float>(MemoryMarshal.Cast<byte, float>(b), shape),
        "float64" => Torch.Tensor<double>(MemoryMarshal.Cast<byte, double>(b), shape),
        "int64" => Torch.Tensor<long>(MemoryMarshal.Cast<byte, long>(b), shape),
        "bool" => Torch.Tensor<bool>(MemoryMarshal.Cast<byte, bool>(b), shape),
        _ => throw new ArgumentException($"raw tensor dtype '{dtype}' is not float32, float64, int64 or bool"),
    };

    public static string Name(ScalarType t) => t switch
    {
        ScalarType.Float32 => "float32", ScalarType.Float64 => "float64", ScalarType.Int64 => "int64", ScalarType.Bool => "bool",
        ScalarType.Int32 => "int32", ScalarType.UInt8 => "uint8", ScalarType.Int16 => "int16", ScalarType.Int8 => "int8",
        _ => throw new ArgumentException($"no raw name for {t}"),
    };

    /// <summary>The bytes of a tensor's elements (row-major), read through its own dtype.</summary>
    public static byte[] Bytes(Tensor t)
    {
        using var c = t.Detach().Contiguous();
        return t.Dtype switch
        {
            ScalarType.Float32 => MemoryMarshal.AsBytes<float>(c.ToArray<float>()).ToArray(),
            ScalarType.Float64 => MemoryMarshal.AsBytes<double>(c.ToArray<double>()).ToArray(),
            ScalarType.Int64 => MemoryMarshal.AsBytes<long>(c.ToArray<long>()).ToArray(),
            ScalarType.Bool => MemoryMarshal.AsBytes<bool>(c.ToArray<bool>()).ToArray(),
            ScalarType.Int32 => MemoryMarshal.AsBytes<int>(c.ToArray<int>()).ToArray(),
            ScalarType.UInt8 => c.ToArray<byte>(),
            _ => throw new ArgumentException($"cannot write a {t.Dtype} tensor"),
        };
    }
}

/// <summary>Collects output tensors into one raw file and its manifest.</summary>
sealed class RawWriter(string path) : IDisposable
{
    private readonly FileStream f = File.Create(path);
    public JsonObject Manifest { get; } = new();

    public string Add(string name, string dtype, long[] shape, byte[] bytes)
    {
        Manifest[name] = new JsonObject
        {
            ["dtype"] = dtype, ["shape"] = new JsonArray(shape.Select(s => (JsonNode)s).ToArray()), ["offset"] = f.Position, ["nbytes"] = bytes.Length,
        };
        f.Write(bytes);
        return name;
    }

    public string Add(string name, Tensor t) => Add(name, RawTensors.Name(t.Dtype), t.Shape, RawTensors.Bytes(t));

    public void Dispose() => f.Dispose();
}
