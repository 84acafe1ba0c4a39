/// GeneratorRowsTests.fs: a generator restricted to rows of a batch (data-parallel noise) draws exactly those rows of the whole batch's draw, and advances as that draw does.
module GenDsl.Tests.Core.GeneratorRowsTests

open Xunit
open GenDsl.Torch

let private n, rows = 7L, [| 1L; 3L; 5L |] // rank 1 of 2 on a batch of 7: positions 1, 3, 5

/// draw g shapeFirst: what a draw with first dimension shapeFirst makes. Compares the rows-restricted draw with rows
/// of the unrestricted draw on an identically seeded generator, then the next draw of both generators (same state).
let private check (name: string) (draw: Generator -> int64 -> Tensor) =
    use scope = Scope.Begin()
    use whole = new Generator(99UL)
    use part = new Generator(99UL)
    let expected = (draw whole n).IndexSelect(0L, Torch.Tensor(rows, 3L)).Contiguous().View(-1L).To(ScalarType.Float64).ToArray<float>()
    part.Rows <- BatchRows(n, rows)
    let actual = (draw part 3L).Contiguous().View(-1L).To(ScalarType.Float64).ToArray<float>()
    part.Rows <- null
    // Exact: the same libtorch draw, then a row selection.
    Assert.True((expected = actual), $"{name}: the rows-restricted draw is not rows 1, 3, 5 of the whole batch's")
    Assert.Equal<float[]>(Torch.Rand([| 5L |], whole).To(ScalarType.Float64).ToArray<float>(), Torch.Rand([| 5L |], part).To(ScalarType.Float64).ToArray<float>())

let ``Generator.Rows: Randn, Rand and RandInt restricted to rows 1, 3, 5 of a batch of 7 are those rows of the batch's draw`` () =
    check "Randn" (fun g m -> Torch.Randn([| m; 4L |], g, ScalarType.Float64)) // 28 values: libtorch's vectorised normal path
    check "Randn small" (fun g m -> Torch.Randn([| m |], g, ScalarType.Float64)) // 7 values: its scalar path
    check "Rand" (fun g m -> Torch.Rand([| m; 2L; 3L |], g))
    check "RandInt" (fun g m -> Torch.RandInt(0L, 100L, [| m; 5L |], g))

let ``Generator.Rows: Bernoulli, Normal and Dropout restricted to rows are those rows of the whole batch's draw`` () =
    // Probabilities, means and inputs differ per row, so a draw cut from the wrong rows would show.
    let probs m = (Torch.Arange(0.0, float (m * 6L), dtype = ScalarType.Float64) / float (m * 6L)).View(m, 6L) // (m, 6), row i of the batch
    let probsOf (m: int64) = if m = n then probs n else (probs n).IndexSelect(0L, Torch.Tensor(rows, 3L))
    check "Bernoulli" (fun g m -> Torch.Bernoulli(probsOf m, g))
    check "Normal" (fun g m -> Torch.Normal(probsOf m, probsOf m + 0.5, g))
    check "Dropout" (fun g m -> Functional.Dropout(probsOf m + 1.0, 0.3, true, g))

let ``Generator.Rows: a draw whose first dimension is not the part's size is made as asked`` () =
    use scope = Scope.Begin()
    use a = new Generator(5UL)
    use b = new Generator(5UL)
    b.Rows <- BatchRows(n, rows)
    Assert.Equal<float[]>(Torch.Randn([| 4L; 3L |], a, ScalarType.Float64).View(-1L).ToArray<float>(), Torch.Randn([| 4L; 3L |], b, ScalarType.Float64).View(-1L).ToArray<float>())
    Assert.Throws<System.ArgumentException>(fun () -> BatchRows(3L, [| 0L; 3L |]) |> ignore) |> ignore

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.GeneratorRowsTests" [
        Expecto.Tests.testCase "Generator.Rows: Randn, Rand and RandInt restricted to rows 1, 3, 5 of a batch of 7 are those rows of the batch's draw" ``Generator.Rows: Randn, Rand and RandInt restricted to rows 1, 3, 5 of a batch of 7 are those rows of the batch's draw``
        Expecto.Tests.testCase "Generator.Rows: Bernoulli, Normal and Dropout restricted to rows are those rows of the whole batch's draw" ``Generator.Rows: Bernoulli, Normal and Dropout restricted to rows are those rows of the whole batch's draw``
        Expecto.Tests.testCase "Generator.Rows: a draw whose first dimension is not the part's size is made as asked" ``Generator.Rows: a draw whose first dimension is not the part's size is made as asked``
    ]
