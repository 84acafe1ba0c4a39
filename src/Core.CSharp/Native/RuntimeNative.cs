// RuntimeNative.cs: P/Invoke declarations for native/runtime.cpp (errors, threads, devices).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr gd_last_error();
    [LibraryImport(Lib)] internal static partial int gd_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int gd_get_num_threads(out int @out);
    [LibraryImport(Lib)] internal static partial int gd_cuda_device_count(out int @out);
    [LibraryImport(Lib)] internal static partial int gd_version(out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_fail_for_test();
}
