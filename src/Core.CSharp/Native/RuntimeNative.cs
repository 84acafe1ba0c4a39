// RuntimeNative.cs: P/Invoke declarations for native/runtime.cpp (errors, threads, devices).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [DllImport(Lib, ExactSpelling = true)] internal static extern IntPtr gd_last_error();
    [DllImport(Lib, ExactSpelling = true)] internal static extern int gd_set_num_threads(int n);
    [DllImport(Lib, ExactSpelling = true)] internal static extern int gd_get_num_threads(out int @out);
    [DllImport(Lib, ExactSpelling = true)] internal static extern int gd_cuda_device_count(out int @out);
    [DllImport(Lib, ExactSpelling = true)] internal static extern int gd_version(out IntPtr @out);
    [DllImport(Lib, ExactSpelling = true)] internal static extern int gd_fail_for_test();
}
