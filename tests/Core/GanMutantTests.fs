/// GanMutantTests.fs: the GAN's pieces (Gan.cs, Mlp.cs, ModeCoverage.cs) where mutation testing looks — the two losses by hand from a fixed linear discriminator, the layer plan of an MLP, the coverage radius's edge, the argument checks.
module GenDsl.Tests.Core.GanMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

/// A linear layer in -> out with the given weight (row-major) and bias.
let private linear (inF: int64) (outF: int64) (w: float list) (b: float list) =
    let l = new Linear(inF, outF, dtype = f64)
    use _ = Autograd.NoGrad()
    l.Weight.Copy_(t64 [ outF; inF ] w) |> ignore
    l.Bias.Copy_(vec b) |> ignore
    l

let private softplus (v: float) = log (1.0 + exp v)

let ``GAN losses: with D(x) = 2 x_0 - x_1 + 0.5, L_D = mean softplus(-D(real)) + mean softplus(D(fake)) and L_G = mean softplus(-D(fake)), by hand`` () =
    use gan = new Gan(linear 1L 2L [ 1.0; -1.0 ] [ 0.0; 0.0 ], linear 2L 1L [ 2.0; -1.0 ] [ 0.5 ], 1, 2)
    let dOf (x0, x1) = 2.0 * x0 - x1 + 0.5
    let real, fake = [ (1.0, 0.0); (0.0, 2.0) ], [ (-1.0, 1.0); (0.5, 0.5); (0.0, 0.0) ]
    let tensorOf pts = t64 [ int64 (List.length pts); 2L ] (pts |> List.collect (fun (a, b) -> [ a; b ]))
    use r = tensorOf real
    use f = tensorOf fake
    close 1e-14 (List.map dOf real) (gan.Logits(r))                        // (N, 1) squeezed to (N)
    Assert.Equal<int64 list>([ 2L ], shape (gan.Logits(r)))
    close 1e-14 (real |> List.map (fun p -> 1.0 / (1.0 + exp (-(dOf p))))) (gan.DiscriminatorProb(r))
    let ld = (real |> List.averageBy (fun p -> softplus (-(dOf p)))) + (fake |> List.averageBy (fun p -> softplus (dOf p)))
    closeScalar 1e-14 ld (gan.DiscriminatorLoss(r, f).ToDouble())
    closeScalar 1e-14 (fake |> List.averageBy (fun p -> softplus (-(dOf p)))) (gan.GeneratorLoss(f).ToDouble())
    // float32 points are converted to the discriminator's float64
    close 1e-6 [ dOf (1.0, 0.0) ] (gan.Logits(Torch.Tensor<float32>([| 1.0f; 0.0f |], [| 1L; 2L |])))
    // G(z) = (z, -z); latents are (n, latent) in the generator's dtype
    close 1e-15 [ 3.0; -3.0 ] (gan.Generate(t64 [ 1L; 1L ] [ 3.0 ]))
    use g = new Generator(5UL)
    use z = gan.Latent(4L, g)
    Assert.Equal<int64 list>([ 4L; 1L ], shape z)
    Assert.Equal(f64, z.Dtype)
    use s = gan.Sample(3L, g)
    Assert.Equal<int64 list>([ 3L; 2L ], shape s)
    let v = vals s
    for i in 0 .. 2 do closeScalar 0.0 (-v.[2 * i]) v.[2 * i + 1]

let ``GAN refuses latent or data dimensions < 1, null networks, inputs of the wrong width and a discriminator that is not scalar`` () =
    throws<ArgumentException> "latentDim and dataDim must be >= 1; got 0 and 2" (fun () -> box (new Gan(new Identity(), new Identity(), 0, 2)))
    throws<ArgumentException> "got 1 and 0" (fun () -> box (new Gan(new Identity(), new Identity(), 1, 0)))
    Assert.Throws<ArgumentNullException>(fun () -> new Gan(null, new Identity(), 1, 1) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> new Gan(new Identity(), null, 1, 1) |> ignore) |> ignore
    use gan = new Gan(linear 1L 2L [ 1.0; 1.0 ] [ 0.0; 0.0 ], linear 2L 2L [ 1.0; 0.0; 0.0; 1.0 ] [ 0.0; 0.0 ], 1, 2)
    throws<ArgumentException> "z must be (N, 1); got shape [2, 2]" (fun () -> box (gan.Generate(Torch.Zeros([| 2L; 2L |], f64))))
    throws<ArgumentException> "got shape [3]" (fun () -> box (gan.Generate(Torch.Zeros([| 3L |], f64))))
    throws<ArgumentException> "x must be (N, 2); got shape [1, 3]" (fun () -> box (gan.Logits(Torch.Zeros([| 1L; 3L |], f64))))
    throws<ArgumentException> "got shape [2]" (fun () -> box (gan.Logits(Torch.Zeros([| 2L |], f64))))
    throws<ArgumentException> "the discriminator must return (N) or (N, 1) logits; it returned [3, 2]" (fun () -> box (gan.Logits(Torch.Zeros([| 3L; 2L |], f64))))

let ``Mlp: hiddenLayers h gives Linear, act, ..., Linear (2h + 1 modules) of the stated widths; 0 hidden layers is one Linear; bad sizes are refused`` () =
    use g = new Generator(6UL)
    let net = Mlp.Create(3L, 5L, 2, 4L, generator = g, dtype = f64)
    let mods = net |> Seq.toList
    Assert.Equal(5, mods.Length)
    let widths = mods |> List.choose (function :? Linear as l -> Some (shape l.Weight) | _ -> None)
    Assert.Equal<int64 list list>([ [ 5L; 3L ]; [ 5L; 5L ]; [ 4L; 5L ] ], widths)
    Assert.True(mods.[1] :? ReLU && mods.[3] :? ReLU, "ReLU by default between layers")
    Assert.Equal(f64, (mods.[0] :?> Linear).Weight.Dtype)
    let tanhNet = Mlp.Create(1L, 2L, 1, 1L, (fun () -> upcast new Tanh()))
    Assert.True((tanhNet |> Seq.item 1) :? Tanh, "the activation factory is used")
    let single = Mlp.Create(3L, 0L, 0, 2L) |> Seq.toList                      // the hidden width is not read
    Assert.Equal(1, single.Length)
    Assert.Equal<int64 list>([ 2L; 3L ], shape (single.[0] :?> Linear).Weight)
    throws<ArgumentException> "inFeatures and outFeatures must be >= 1; got 0 and 2" (fun () -> box (Mlp.Create(0L, 4L, 1, 2L)))
    throws<ArgumentException> "got 2 and 0" (fun () -> box (Mlp.Create(2L, 4L, 1, 0L)))
    throws<ArgumentException> "hiddenLayers must be >= 0 (0 is one Linear layer); got -1" (fun () -> box (Mlp.Create(2L, 4L, -1, 1L)))
    throws<ArgumentException> "hidden width must be >= 1; got 0" (fun () -> box (Mlp.Create(2L, 0L, 1, 1L)))
    Assert.Equal(3, Mlp.Create(2L, 1L, 1, 1L) |> Seq.length)                       // width 1 is allowed

let ``ModeCoverage: a point at exactly within x sigma counts (sigma = 2, within = 1.5: distance 3 in, 3.01 out); bad shapes and radii are refused`` () =
    use modes = t64 [ 2L; 2L ] [ 0.0; 0.0; 10.0; 0.0 ]
    use s = t64 [ 3L; 2L ] [ 3.0; 0.0; 10.0; 3.01; 10.0; -3.0 ]
    Assert.Equal<int64 list>([ 1L; 1L ], ModeCoverage.CountsPerMode(s, modes, 2.0, 1.5) |> Array.toList)
    Assert.Equal<int64 list>([ 1L; 2L ], ModeCoverage.CountsPerMode(s, modes, 2.0, 1.51) |> Array.toList)
    Assert.Equal(0, ModeCoverage.Covered(s, modes, 1.0, 1.0))
    throws<ArgumentException> "modes must be (K, D); got shape [2]" (fun () -> box (ModeCoverage.CountsPerMode(s, vec [ 0.0; 0.0 ])))
    throws<ArgumentException> "modes must be (K, D); got shape [1, 2, 2]" (fun () -> box (ModeCoverage.CountsPerMode(s, Torch.Zeros([| 1L; 2L; 2L |], f64))))
    throws<ArgumentException> "got 1 and 0" (fun () -> box (ModeCoverage.CountsPerMode(s, modes, 1.0, 0.0)))
    throws<ArgumentException> "samples must be (n, 2) like the modes; got shape [3, 1]" (fun () -> box (ModeCoverage.CountsPerMode(Torch.Zeros([| 3L; 1L |], f64), modes)))
    throws<ArgumentException> "got shape [2]" (fun () -> box (ModeCoverage.CountsPerMode(vec [ 0.0; 0.0 ], modes)))
    throws<ArgumentException> "sigma and within must be > 0; got 0 and 3" (fun () -> box (ModeCoverage.CountsPerMode(s, modes, 0.0)))
    throws<ArgumentException> "got 1 and -1" (fun () -> box (ModeCoverage.CountsPerMode(s, modes, 1.0, -1.0)))
    Assert.Throws<ArgumentNullException>(fun () -> ModeCoverage.CountsPerMode(null, modes) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> ModeCoverage.CountsPerMode(s, null) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> ModeCoverage.MeanNll(s, null) |> ignore) |> ignore

/// D(x) = x_0 + x_1 as an (N) vector, no parameters.
type private SumNet() =
    inherit Module()
    override _.Forward(x: Tensor) = x.Sum(1L)

let ``GAN with parameterless networks: latents default to float32, logits keep the input's dtype, and an (N) discriminator output is taken as is`` () =
    use gan = new Gan(new Identity(), new SumNet(), 2, 2)
    use g = new Generator(9UL)
    use z = gan.Latent(3L, g)
    Assert.Equal(ScalarType.Float32, z.Dtype)
    use l = gan.Logits(t64 [ 2L; 2L ] [ 1.0; 2.0; -1.0; 0.5 ])
    Assert.Equal(f64, l.Dtype)
    close 1e-15 [ 3.0; -0.5 ] l

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.GanMutantTests" [
        Expecto.Tests.testCase "GAN losses: with D(x) = 2 x_0 - x_1 + 0.5, L_D = mean softplus(-D(real)) + mean softplus(D(fake)) and L_G = mean softplus(-D(fake)), by hand" ``GAN losses: with D(x) = 2 x_0 - x_1 + 0.5, L_D = mean softplus(-D(real)) + mean softplus(D(fake)) and L_G = mean softplus(-D(fake)), by hand``
        Expecto.Tests.testCase "GAN refuses latent or data dimensions < 1, null networks, inputs of the wrong width and a discriminator that is not scalar" ``GAN refuses latent or data dimensions < 1, null networks, inputs of the wrong width and a discriminator that is not scalar``
        Expecto.Tests.testCase "Mlp: hiddenLayers h gives Linear, act, ..., Linear (2h + 1 modules) of the stated widths; 0 hidden layers is one Linear; bad sizes are refused" ``Mlp: hiddenLayers h gives Linear, act, ..., Linear (2h + 1 modules) of the stated widths; 0 hidden layers is one Linear; bad sizes are refused``
        Expecto.Tests.testCase "ModeCoverage: a point at exactly within x sigma counts (sigma = 2, within = 1.5: distance 3 in, 3.01 out); bad shapes and radii are refused" ``ModeCoverage: a point at exactly within x sigma counts (sigma = 2, within = 1.5: distance 3 in, 3.01 out); bad shapes and radii are refused``
        Expecto.Tests.testCase "GAN with parameterless networks: latents default to float32, logits keep the input's dtype, and an (N) discriminator output is taken as is" ``GAN with parameterless networks: latents default to float32, logits keep the input's dtype, and an (N) discriminator output is taken as is``
    ]
