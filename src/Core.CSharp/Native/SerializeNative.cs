// SerializeNative.cs: P/Invoke declarations for native/serialize.cpp (tensor files).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [DllImport(Lib, ExactSpelling = true)] internal static extern int gd_save(string path, IntPtr[] names, IntPtr[] tensors, int n);
    [DllImport(Lib, ExactSpelling = true)] internal static extern int gd_load_count(string path, out int n, out IntPtr state);
    [DllImport(Lib, ExactSpelling = true)] internal static extern int gd_load_entry(IntPtr state, int i, out IntPtr name, out IntPtr tensor);
    [DllImport(Lib, ExactSpelling = true)] internal static extern int gd_load_free(IntPtr state);
}
