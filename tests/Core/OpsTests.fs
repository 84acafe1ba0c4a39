/// OpsTests.fs: a first smoke test of the op families (the full set grows in files beside this one).
module GenDsl.Tests.Core.OpsTests

open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let ``add broadcasts a row over a matrix`` () =
    use a = t64 [2L; 3L] [1.; 2.; 3.; 4.; 5.; 6.]
    use b = vec [10.; 20.; 30.]
    use c = a + b
    Assert.Equal<int64 list>([2L; 3L], shape c)
    close 0.0 [11.; 22.; 33.; 14.; 25.; 36.] c

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.OpsTests" [
        Expecto.Tests.testCase "add broadcasts a row over a matrix" ``add broadcasts a row over a matrix``
    ]
