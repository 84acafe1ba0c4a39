// Tensor.cs: the Tensor type — ownership, metadata, data in and out, conversions and printing.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using System.Text;
using GenDsl.Native;
using static GenDsl.Native.NativeMethods;

namespace GenDsl.Torch;

/// <summary>
/// An n-dimensional array on a device, with autograd. Semantics follow PyTorch (broadcasting, dims,
/// keepdim); names are PyTorch's in .NET casing. A tensor owns a native handle: dispose it, or let the
/// <see cref="Scope"/> it was made in free it.
/// </summary>
[NativeMarshalling(typeof(TensorMarshaller))]
public sealed partial class Tensor : IDisposable
{
    // The native handle: libtorch's TensorImpl* holding one reference (see native/common.h); zero once freed.
    // A tensor is the one managed object per native tensor: P/Invokes take it directly (TensorMarshaller).
    private IntPtr ptr;
    internal Scope? Owner;
    // Only for tensors no scope will free: a finalizable object per tensor costs more than a small op, so tensors
    // made inside a scope have none (their scope, or its finalizer, frees them), and tensors made outside every
    // scope get theirs only if they outlive a short wait on their thread's pending list (see Scope.Register).
    private TensorGuard? guard;
    private readonly bool absent;

    internal Tensor(IntPtr handle)
    {
        ptr = handle;
        Scope.Register(this);
    }

    private Tensor() => absent = true;

    /// <summary>An absent optional tensor argument (a null handle on the native side).</summary>
    private static readonly Tensor Absent = new();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Wrap(int status, IntPtr handle, [CallerMemberName] string op = "")
    {
        Check(status, op);
        return new Tensor(handle);
    }

    /// <summary>An optional tensor argument for a P/Invoke: the tensor, or a null handle when absent.</summary>
    internal static Tensor Of(Tensor? t) => t ?? Absent;

    /// <summary>The native handle; throws when the tensor was already freed (passing it on would crash the process).</summary>
    internal IntPtr Ptr
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var p = ptr;
            if (p == IntPtr.Zero) ThrowDisposed();
            return p;
        }
    }

    /// <summary>The handle as a P/Invoke argument: <see cref="Ptr"/>, or a null handle for <see cref="Absent"/>.</summary>
    internal IntPtr ArgPtr
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var p = ptr;
            if (p == IntPtr.Zero && !absent) ThrowDisposed();
            return p;
        }
    }

    internal static IntPtr[] Handles(IReadOnlyList<Tensor> ts)
    {
        var hs = new IntPtr[ts.Count];
        for (var i = 0; i < hs.Length; i++) hs[i] = ts[i].Ptr;
        return hs;
    }

    public bool IsDisposed => ptr == IntPtr.Zero;

    public void Dispose()
    {
        Free();
        Owner?.Forget(this);
        Owner = null;
    }

    /// <summary>Frees the native tensor once; later calls do nothing.</summary>
    internal void Free()
    {
        var p = Interlocked.Exchange(ref ptr, IntPtr.Zero);
        if (p == IntPtr.Zero) return;
        if (Volatile.Read(ref guard) is { } g) GC.SuppressFinalize(g);
        gd_tensor_free(p);
    }

    /// <summary>
    /// Adds the finalizer safety net (for tensors that no scope will free). Safe against a concurrent Free (a
    /// pending list may guard a tensor that another thread is disposing): a guard that lost the race is disarmed.
    /// </summary>
    internal void Guard()
    {
        if (Volatile.Read(ref guard) is not null) return;
        var p = Volatile.Read(ref ptr);
        if (p == IntPtr.Zero) return;
        var g = new TensorGuard(p);
        if (Interlocked.CompareExchange(ref guard, g, null) is not null || Volatile.Read(ref ptr) == IntPtr.Zero)
            GC.SuppressFinalize(g);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed() => throw new ObjectDisposedException("Tensor",
        "this tensor was disposed, or freed when the Scope it was made in ended; call MoveToOuterScope() or DetachFromScope() on tensors that must outlive their scope");

    /// <summary>Moves this tensor from its scope to the enclosing one (or out of all scopes), so it survives the scope's end.</summary>
    public Tensor MoveToOuterScope()
    {
        Owner?.MoveOut(this);
        if (Owner is null) Guard();
        return this;
    }

    /// <summary>Takes this tensor out of every scope: it lives until disposed (or collected). For parameters and state.</summary>
    public Tensor DetachFromScope()
    {
        Owner = null;
        Guard();
        return this;
    }

    // ---- metadata ----
    public int Dim { get { Check(gd_tensor_ndim(this, out var n)); return n; } }

    public long[] Shape
    {
        get
        {
            var s = new long[Dim];
            Check(gd_tensor_sizes(this, s));
            return s;
        }
    }

    /// <summary>The length of one dimension (tensor.size(dim)); a negative dim counts from the end. One native call, no shape array.</summary>
    public long Size(int dim)
    {
        if (gd_tensor_size_dim(this, dim, out var n) == 0) return n;
        var nd = Dim;
        throw new ArgumentOutOfRangeException(nameof(dim), nd == 0
            ? $"dim {dim} out of range: a 0-d tensor has no dimensions (its value is Item<T>())"
            : $"dim {dim} out of range for a {nd}-d tensor: use {-nd}..{nd - 1}");
    }

    public long[] Strides
    {
        get
        {
            var s = new long[Dim];
            Check(gd_tensor_strides(this, s));
            return s;
        }
    }

    public long NumEl { get { Check(gd_tensor_numel(this, out var n)); return n; } }
    public ScalarType Dtype { get { Check(gd_tensor_dtype(this, out var d)); return (ScalarType)d; } }

    public Device Device
    {
        get
        {
            Check(gd_tensor_device(this, out var t, out var i));
            return new Device((DeviceType)t, i);
        }
    }

    // ---- data out ----
    internal static ScalarType TypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32 :
        typeof(T) == typeof(double) ? ScalarType.Float64 :
        typeof(T) == typeof(long) ? ScalarType.Int64 :
        typeof(T) == typeof(int) ? ScalarType.Int32 :
        typeof(T) == typeof(bool) ? ScalarType.Bool :
        typeof(T) == typeof(byte) ? ScalarType.UInt8 :
        typeof(T) == typeof(short) ? ScalarType.Int16 :
        typeof(T) == typeof(sbyte) ? ScalarType.Int8 :
        throw new ArgumentException($"{typeof(T).Name} is not a tensor element type (use float, double, long, int, bool or byte)");

    /// <summary>Copies the elements (row-major) into <paramref name="destination"/>; T must match the dtype.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var dt = Dtype;
        if (TypeOf<T>() != dt)
            throw new ArgumentException($"CopyTo<{typeof(T).Name}>: the tensor is {dt}; convert it first, e.g. .To(ScalarType.{TypeOf<T>()})");
        var n = NumEl;
        if (destination.Length != n)
            throw new ArgumentException($"CopyTo: destination holds {destination.Length} elements but the tensor has {n}");
        fixed (T* p = destination)
            Check(gd_tensor_copy_out(this, (IntPtr)p, n * sizeof(T)));
    }

    /// <summary>The elements as a flat array (row-major); T must match the dtype.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var a = new T[NumEl];
        CopyTo<T>(a);
        return a;
    }

    /// <summary>The value of a one-element tensor, converted to T.</summary>
    public T Item<T>() where T : unmanaged
    {
        Check(gd_tensor_item(this, out var s));
        object v =
            typeof(T) == typeof(double) ? s.ToDouble() :
            typeof(T) == typeof(float) ? (float)s.ToDouble() :
            typeof(T) == typeof(long) ? s.ToInt64() :
            typeof(T) == typeof(int) ? checked((int)s.ToInt64()) :
            typeof(T) == typeof(bool) ? s.ToInt64() != 0 :
            typeof(T) == typeof(byte) ? checked((byte)s.ToInt64()) :
            throw new ArgumentException($"Item<{typeof(T).Name}>: use double, float, long, int, bool or byte");
        return (T)v;
    }

    /// <summary>Shorthand for <c>Item&lt;double&gt;()</c>.</summary>
    public double ToDouble() => Item<double>();

    // ---- conversions and copies ----
    public Tensor To(ScalarType dtype) => Wrap(gd_tensor_to(this, (int)dtype, -1, 0, 0, out var r), r);
    public Tensor To(Device device) => Wrap(gd_tensor_to(this, -1, (int)device.Type, device.Index, 0, out var r), r);
    public Tensor To(Device device, ScalarType dtype) => Wrap(gd_tensor_to(this, (int)dtype, (int)device.Type, device.Index, 0, out var r), r);
    public Tensor Float() => To(ScalarType.Float32);
    public Tensor Double() => To(ScalarType.Float64);
    public Tensor Long() => To(ScalarType.Int64);
    public Tensor Bool() => To(ScalarType.Bool);
    public Tensor Cpu() => To(Device.CPU);
    public Tensor Cuda(int index = 0) => To(Device.CUDA(index));
    public Tensor Clone() => Wrap(gd_tensor_clone(this, out var r), r);
    public Tensor Contiguous() => Wrap(gd_tensor_contiguous(this, out var r), r);
    /// <summary>
    /// This tensor in the given memory layout (itself if already so laid out), as PyTorch's <c>contiguous(memory_format=)</c>.
    /// Channels-last images (NHWC strides, NCHW shape) let libtorch's CPU convolutions skip their layout conversions;
    /// elementwise ops and convolutions keep the layout they are given.
    /// </summary>
    public Tensor Contiguous(MemoryFormat format) => Wrap(gd_tensor_contiguous_format(this, (int)format, out var r), r);
    /// <summary>Whether the strides are this layout's (PyTorch's <c>is_contiguous(memory_format=)</c>).</summary>
    public bool IsContiguous(MemoryFormat format = MemoryFormat.Contiguous) { Check(gd_tensor_is_contiguous_format(this, (int)format, out var r)); return r != 0; }
    public Tensor Copy_(Tensor src) { Check(gd_tensor_copy_(this, src)); return this; }
    public Tensor Fill_(Scalar value) { Check(gd_tensor_fill_(this, value)); return this; }
    public Tensor Zero_() { Check(gd_tensor_zero_(this)); return this; }

    // ---- printing ----
    /// <summary>PyTorch-like text: <c>tensor([[1., 2.], [3., 4.]], dtype=float64)</c>; long tensors are abbreviated.</summary>
    public override string ToString()
    {
        if (IsDisposed) return "tensor(<disposed>)";
        var shape = Shape;
        var dt = Dtype;
        using var cpu = dt is ScalarType.Bool or ScalarType.Float32 or ScalarType.Float64 ? null : To(ScalarType.Float64);
        double[] v;
        using (var d = (cpu ?? this).To(ScalarType.Float64)) { v = d.ToArray<double>(); }
        bool integral = dt is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.UInt8;
        string Fmt(double x) => dt == ScalarType.Bool ? (x != 0 ? "True" : "False")
            : integral ? ((long)x).ToString()
            : double.IsNaN(x) ? "nan" : double.IsInfinity(x) ? (x > 0 ? "inf" : "-inf")
            : x == Math.Floor(x) && Math.Abs(x) < 1e16 ? ((long)x).ToString() + "."
            : x.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
        var sb = new StringBuilder("tensor(");
        void Emit(int d, long offset, long stride)
        {
            if (d == shape.Length) { sb.Append(Fmt(v[offset])); return; }
            var n = shape[d];
            var inner = stride / Math.Max(1, n);
            sb.Append('[');
            for (long i = 0; i < n; i++)
            {
                if (n > 8 && i == 3) { sb.Append("..., "); i = n - 3; }
                Emit(d + 1, offset + i * inner, inner);
                if (i < n - 1) sb.Append(d == shape.Length - 1 ? ", " : ",\n" + new string(' ', 8 + d));
            }
            sb.Append(']');
        }
        Emit(0, 0, v.LongLength);
        if (dt != ScalarType.Float32 && dt != ScalarType.Int64 && dt != ScalarType.Bool) sb.Append(", dtype=").Append(dt.ToString().ToLowerInvariant());
        var dev = Device;
        if (dev.Type != DeviceType.CPU) sb.Append(", device='").Append(dev).Append('\'');
        if (RequiresGrad) sb.Append(", requires_grad=True");
        return sb.Append(')').ToString();
    }
}
