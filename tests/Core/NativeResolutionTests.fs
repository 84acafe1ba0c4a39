/// NativeResolutionTests.fs: where libgendsl.so is looked for — the repository's build, an application using the package, a script.
module GenDsl.Tests.Core.NativeResolutionTests

open System.IO
open Xunit

let ``libgendsl.so is looked for beside the assembly, under an app's runtimes/linux-x64/native, and in the package's own runtimes folder`` () =
    let rid = "linux-" + (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant())
    let lib = Path.Combine("/pkgs", "gendsl.core", "0.1.0", "lib", "net10.0")
    let found = GenDsl.Native.NativeMethods.Candidates(lib)
    // this repository's build and a tool: beside the assembly
    Assert.Contains(Path.Combine(lib, "libgendsl.so"), found)
    // an application's bin/ with the package (NuGet copies the asset to runtimes/<rid>/native/)
    Assert.Contains(Path.Combine(lib, "runtimes", rid, "native", "libgendsl.so"), found)
    // #r "nuget: ..." in a script loads lib/net10.0/GenDsl.Core.dll from the global packages folder
    Assert.Contains(Path.Combine("/pkgs", "gendsl.core", "0.1.0", "runtimes", rid, "native", "libgendsl.so"), found)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.NativeResolutionTests" [
        Expecto.Tests.testCase "libgendsl.so is looked for beside the assembly, under an app's runtimes/linux-x64/native, and in the package's own runtimes folder" ``libgendsl.so is looked for beside the assembly, under an app's runtimes/linux-x64/native, and in the package's own runtimes folder``
    ]
