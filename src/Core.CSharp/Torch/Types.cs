// Types.cs: dtypes, devices, scalars and the exception every failed native call becomes.
using System.Runtime.InteropServices;

namespace GenDsl.Torch;

/// <summary>Element types; the values are libtorch's ScalarType codes.</summary>
public enum ScalarType
{
    UInt8 = 0, Int8 = 1, Int16 = 2, Int32 = 3, Int64 = 4, Float16 = 5, Float32 = 6, Float64 = 7, Bool = 11,
}

public enum DeviceType { CPU = 0, CUDA = 1 }

/// <summary>Memory layouts of a tensor's strides: row-major, or channels-last for 4-d images (PyTorch's torch.channels_last).</summary>
public enum MemoryFormat { Contiguous = 0, ChannelsLast = 1 }

/// <summary>A device such as <c>cpu</c> or <c>cuda:0</c>.</summary>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    public static readonly Device CPU = new(DeviceType.CPU);
    public static Device CUDA(int index = 0) => new(DeviceType.CUDA, index);

    /// <summary>Parses "cpu", "cuda" or "cuda:N" (PyTorch's spelling).</summary>
    public static Device Parse(string s)
    {
        var t = s.Trim().ToLowerInvariant();
        if (t == "cpu") return CPU;
        if (t == "cuda") return CUDA();
        if (t.StartsWith("cuda:") && int.TryParse(t[5..], out var i) && i >= 0) return CUDA(i);
        throw new ArgumentException($"unknown device '{s}': use cpu, cuda or cuda:N");
    }

    public override string ToString() => Type == DeviceType.CPU ? "cpu" : $"cuda:{Index}";
}

/// <summary>A number crossing into libtorch; keeps int vs float so <c>longTensor + 1</c> stays int64, as in PyTorch.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Scalar
{
    internal readonly double D;
    internal readonly long I;
    internal readonly int Kind; // 0 double, 1 int, 2 bool

    private Scalar(double d, long i, int kind) { D = d; I = i; Kind = kind; }
    public static implicit operator Scalar(double v) => new(v, (long)v, 0);
    public static implicit operator Scalar(float v) => new(v, (long)v, 0);
    public static implicit operator Scalar(int v) => new(v, v, 1);
    public static implicit operator Scalar(long v) => new(v, v, 1);
    public static implicit operator Scalar(bool v) => new(v ? 1 : 0, v ? 1 : 0, 2);
    public double ToDouble() => Kind == 0 ? D : I;
    public long ToInt64() => Kind == 0 ? (long)D : I;
    public bool IsIntegral => Kind != 0;
    public override string ToString() => Kind switch { 0 => D.ToString("R"), 2 => (I != 0).ToString(), _ => I.ToString() };
}

/// <summary>A libtorch error (shape mismatch, wrong dtype, index out of range ...) surfaced in .NET.</summary>
public sealed class TorchException : Exception
{
    public string Op { get; }
    public TorchException(string op, string message) : base($"{op}: {message}") => Op = op;

    /// <summary>An error caused by a .NET exception thrown inside native code's call back (a tensor hook): kept as InnerException.</summary>
    public TorchException(string op, string message, Exception? inner) : base($"{op}: {message}", inner) => Op = op;
}
