/// GanDynamicsMutantTests.fs: GDA on a value function (Mila Q6) where mutation testing looks — the alternating trajectory against powers of its update matrix, a value function that ignores one player, the argument checks.
module GenDsl.Tests.Core.GanDynamicsMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let ``GDA: alternating steps on V = dg follow x_k = A^k x_0 with A = [[1, a], [-a, 1 - a^2]], the matrix multiplied out by hand`` () =
    let a = 0.3
    use traj = GanDynamics.Simulate(0.5, 2.0, a, 3, GdaScheme.Alternating)
    Assert.Equal<int64 list>([ 4L; 2L ], shape traj)
    let step (d, g) = (d + a * g, -a * d + (1.0 - a * a) * g)
    let xs = List.scan (fun x _ -> step x) (0.5, 2.0) [ 1 .. 3 ] |> List.collect (fun (d, g) -> [ d; g ])
    close 1e-14 xs traj
    close 0.0 [ 1.0; a; -a; 1.0 - a * a ] (GanDynamics.UpdateMatrix(a, GdaScheme.Alternating))

let ``GDA: a value function that does not depend on d (V = g^2) leaves d fixed and shrinks g by (1 - 2a) per step, in both schemes`` () =
    let value = Func<Tensor, Tensor, Tensor>(fun _ g -> g * g)
    for scheme in [ GdaScheme.Simultaneous; GdaScheme.Alternating ] do
        use traj = GanDynamics.Simulate(1.5, 1.0, 0.25, 2, scheme, value)
        close 1e-15 [ 1.5; 1.0; 1.5; 0.5; 1.5; 0.25 ] traj
    // V = d only: d climbs by a per step, the generator's gradient is absent (0)
    use up = GanDynamics.Simulate(0.0, 1.0, 0.5, 2, value = Func<Tensor, Tensor, Tensor>(fun d _ -> d * 1.0))
    close 1e-15 [ 0.0; 1.0; 0.5; 1.0; 1.0; 1.0 ] up

let ``GDA refuses a learning rate that is not > 0 and negative steps; zero steps return the start`` () =
    for a in [ 0.0; -0.1; Double.NaN ] do
        let e = Assert.Throws<ArgumentOutOfRangeException>(fun () -> GanDynamics.Simulate(1.0, 1.0, a, 1) |> ignore)
        Assert.Contains("learning rate must be > 0", e.Message)
    let e = Assert.Throws<ArgumentOutOfRangeException>(fun () -> GanDynamics.Simulate(1.0, 1.0, 0.1, -1) |> ignore)
    Assert.Contains("steps must be >= 0", e.Message)
    close 0.0 [ 1.0; -2.0 ] (GanDynamics.Simulate(1.0, -2.0, 0.1, 0))
    close 0.0 [ 6.0 ] (GanDynamics.BilinearValue(vec [ 2.0 ], vec [ 3.0 ]))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.GanDynamicsMutantTests" [
        Expecto.Tests.testCase "GDA: alternating steps on V = dg follow x_k = A^k x_0 with A = [[1, a], [-a, 1 - a^2]], the matrix multiplied out by hand" ``GDA: alternating steps on V = dg follow x_k = A^k x_0 with A = [[1, a], [-a, 1 - a^2]], the matrix multiplied out by hand``
        Expecto.Tests.testCase "GDA: a value function that does not depend on d (V = g^2) leaves d fixed and shrinks g by (1 - 2a) per step, in both schemes" ``GDA: a value function that does not depend on d (V = g^2) leaves d fixed and shrinks g by (1 - 2a) per step, in both schemes``
        Expecto.Tests.testCase "GDA refuses a learning rate that is not > 0 and negative steps; zero steps return the start" ``GDA refuses a learning rate that is not > 0 and negative steps; zero steps return the start``
    ]
