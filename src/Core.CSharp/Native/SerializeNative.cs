// SerializeNative.cs: P/Invoke declarations for native/serialize.cpp (tensor files).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gd_save(string path, IntPtr[] names, IntPtr[] tensors, int n);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gd_load_count(string path, out int n, out IntPtr state);
    [LibraryImport(Lib)] internal static partial int gd_load_entry(IntPtr state, int i, out IntPtr name, out IntPtr tensor);
    [LibraryImport(Lib)] internal static partial int gd_load_free(IntPtr state);
}
