/// DslReferenceTests.fs: docs/dsl.md names every public builder of the language and every case a user writes.
module GenDsl.Tests.Dsl.DslReferenceTests

open System.IO
open System.Reflection
open Microsoft.FSharp.Reflection
open Xunit
open GenDsl.Dsl
open GenDsl.Tests.Support

/// The builder modules users write with, by the name they are called with.
let private builderModules = [ "Experiment"; "Case"; "Data"; "Net"; "Model"; "Parts"; "Flow"; "Optim"; "Fit"; "Expect"; "Study" ]

let ``the DSL reference lists every public builder`` () =
    let doc = File.ReadAllText(Path.Combine(repoRoot (), "docs", "dsl.md"))
    let asm = typeof<Experiment>.Assembly
    let missing =
        [ for t in asm.GetTypes() do
            let name = t.Name.Replace("Module", "")
            if t.IsAbstract && t.IsSealed && t.IsPublic && List.contains name builderModules then
                let members =
                    Seq.append
                        (t.GetMethods(BindingFlags.Public ||| BindingFlags.Static) |> Seq.filter (fun m -> not m.IsSpecialName && not (m.Name.Contains "@")) |> Seq.map (fun m -> m.Name))
                        (t.GetProperties(BindingFlags.Public ||| BindingFlags.Static) |> Seq.map (fun p -> p.Name))
                for m in Seq.distinct members do
                    if not (doc.Contains(sprintf "`%s.%s" name m)) then sprintf "%s.%s" name m ]
    Assert.True(missing.IsEmpty, sprintf "docs/dsl.md does not mention: %s" (String.concat ", " missing))

let ``the DSL reference names every case of the language's unions`` () =
    let doc = File.ReadAllText(Path.Combine(repoRoot (), "docs", "dsl.md"))
    let unions =
        [ typeof<Split>; typeof<Pixels>; typeof<Layer>; typeof<ModelSpec>; typeof<Covariance>; typeof<GmmStart>; typeof<BmmStart>
          typeof<Likelihood>; typeof<NicePrior>; typeof<Optimizer>; typeof<Schedule>; typeof<Objective>; typeof<Budget>
          typeof<MetricSpec>; typeof<PlotSpec>; typeof<Mixture>; typeof<Bandwidth>; typeof<Proposal>; typeof<GdaScheme>; typeof<FileFormat>
          typeof<CouplingMask>; typeof<FlowLayer>; typeof<MadeOrder>; typeof<PixelBlock>; typeof<PixelOutput>; typeof<NoiseSchedule>
          typeof<Denoiser>; typeof<DataRange> ]
    let missing =
        [ for u in unions do
            for c in FSharpType.GetUnionCases u do
                if not (doc.Contains("`" + c.Name)) then sprintf "%s.%s" u.Name c.Name ]
    Assert.True(missing.IsEmpty, sprintf "docs/dsl.md does not name: %s" (String.concat ", " missing))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.DslReferenceTests" [
        Expecto.Tests.testCase "the DSL reference lists every public builder" ``the DSL reference lists every public builder``
        Expecto.Tests.testCase "the DSL reference names every case of the language's unions" ``the DSL reference names every case of the language's unions``
    ]
