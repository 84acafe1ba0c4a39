// RuntimeNative.cs: P/Invoke declarations for native/runtime.cpp (errors, threads, devices, the CPU allocator).
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
    [LibraryImport(Lib)] internal static partial int gd_blas_info(out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_fail_for_test();
    [LibraryImport(Lib)] internal static partial int gd_alloc_install(long thresholdBytes, int hugePages);
    [LibraryImport(Lib)] internal static partial int gd_alloc_stats(Span<long> @out);
    [LibraryImport(Lib)] internal static partial int gd_alloc_empty_cache();
    [LibraryImport(Lib)] internal static partial int gd_alloc_reset_peak();
}
