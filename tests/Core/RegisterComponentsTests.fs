/// RegisterComponentsTests.fs: Module.RegisterComponents — a module registered from its fields equals one registered by hand.
module GenDsl.Tests.Core.RegisterComponentsTests

open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN

/// Registered from its fields. (An F# `let` becomes a field only when a member uses it; Forward uses them all.)
type private AutoNet(g: Generator) as this =
    inherit Module()
    let encoder = new Linear(3L, 4L, generator = g)
    let scale = Torch.Ones([| 1L |]).RequiresGrad_()
    let decoder = new Linear(4L, 2L, generator = g)
    let steps = Torch.Zeros([| 1L |])
    let notAComponent = 3.0
    do this.RegisterComponents()
    override _.Forward(x) = decoder.Forward(encoder.Forward(x).Relu() * scale) + steps * notAComponent
    member _.Again() = this.RegisterComponents()

/// The same network with one Register* call per component, in the same order.
type private HandNet(g: Generator) as this =
    inherit Module()
    let encoder = this.RegisterModule("encoder", new Linear(3L, 4L, generator = g))
    let scale = this.RegisterParameter("scale", Torch.Ones([| 1L |]))
    let decoder = this.RegisterModule("decoder", new Linear(4L, 2L, generator = g))
    let steps = this.RegisterBuffer("steps", Torch.Zeros([| 1L |]))
    override _.Forward(x) = decoder.Forward(encoder.Forward(x).Relu() * scale) + steps

let ``RegisterComponents gives the same named parameters, buffers and state dict as registering by hand`` () =
    use ga = new Generator(11UL)
    use gh = new Generator(11UL)
    use auto = new AutoNet(ga)
    use hand = new HandNet(gh)
    let names (m: Module) = m.NamedParameters() |> Seq.map (fun struct (n, _) -> n) |> List.ofSeq
    Assert.Equal<string list>([ "scale"; "encoder.weight"; "encoder.bias"; "decoder.weight"; "decoder.bias" ] |> List.sort, names hand |> List.sort)
    Assert.Equal<string list>(names hand, names auto)
    Assert.Equal<string list>([ "steps" ], auto.NamedBuffers() |> Seq.map (fun struct (n, _) -> n) |> List.ofSeq)
    let sa = auto.StateDict()
    let sh = hand.StateDict()
    Assert.Equal<string list>(sh.Keys |> List.ofSeq, sa.Keys |> List.ofSeq)
    for KeyValue (k, v) in sh do
        Assert.Equal<int64[]>(v.Shape, sa.[k].Shape)
        Assert.Equal<float32[]>(v.ToArray<float32>(), sa.[k].ToArray<float32>())   // same generator draws, same order
    // Calling it again registers nothing twice.
    auto.Again()
    Assert.Equal<string list>(names hand, names auto)

let ``RegisterComponents names an auto-property by the property, in C# and F# backing-field forms`` () =
    Assert.Equal("Head", Module.ComponentName "<Head>k__BackingField")
    Assert.Equal("Head", Module.ComponentName "Head@")
    Assert.Equal("fc1", Module.ComponentName "fc1")

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.RegisterComponentsTests" [
        Expecto.Tests.testCase "RegisterComponents gives the same named parameters, buffers and state dict as registering by hand" ``RegisterComponents gives the same named parameters, buffers and state dict as registering by hand``
        Expecto.Tests.testCase "RegisterComponents names an auto-property by the property, in C# and F# backing-field forms" ``RegisterComponents names an auto-property by the property, in C# and F# backing-field forms``
    ]
