// DistributedNative.cs: P/Invoke declarations for native/distributed.cpp (c10d stores, Gloo process groups, collectives).
using System.Runtime.InteropServices;
using GenDsl.Torch;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gd_dist_available(out int @out);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gd_store_file_new(string path, int world_size, double timeout_s, out IntPtr @out);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gd_store_tcp_new(string host, int port, int world_size, int is_server, double timeout_s, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_store_free(IntPtr s);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int gd_pg_gloo_new(IntPtr store, string? prefix, int rank, int world_size, double timeout_s, string? device_host, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_pg_free(IntPtr pg);
    [LibraryImport(Lib)] internal static partial int gd_pg_all_reduce_(IntPtr pg, Tensor a, int op);
    [LibraryImport(Lib)] internal static partial int gd_pg_broadcast_(IntPtr pg, Tensor a, int root);
    [LibraryImport(Lib)] internal static partial int gd_pg_barrier(IntPtr pg);
    [LibraryImport(Lib)] internal static partial int gd_pg_sync_grads(IntPtr pg, IntPtr[] @params, int n, double scale, long bucket_bytes);
    [LibraryImport(Lib)] internal static partial int gd_pg_overlap_new(IntPtr pg, IntPtr[] @params, int n, long first_bucket_bytes, long bucket_bytes, out IntPtr @out);
    [LibraryImport(Lib)] internal static partial int gd_pg_overlap_arm(IntPtr o, double scale);
    [LibraryImport(Lib)] internal static partial int gd_pg_overlap_finish(IntPtr o);
    [LibraryImport(Lib)] internal static partial int gd_pg_overlap_free(IntPtr o);
}
