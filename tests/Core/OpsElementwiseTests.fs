/// OpsElementwiseTests.fs: the elementwise ops of issue 14 against closed forms, PyTorch's dtype rules, and their gradients against central differences.
module GenDsl.Tests.Core.OpsElementwiseTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64
let private longs (xs: int64 list) = Torch.Tensor<int64>(List.toArray xs)

/// d/dx_i sum f(x) by autograd against the central difference (f(x + h) - f(x - h)) / 2h in float64: its error is
/// h^2 |f'''| / 6 ~ 1e-12 plus rounding ~1e-16 / h = 1e-10 for h = 1e-6, so 1e-6 leaves room for |f'''| up to 10^5.
let gradMatchesFd (f: Tensor -> Tensor) (xs: float list) =
    use sc = Scope.Begin()
    let x = vec xs
    x.RequiresGrad <- true
    f(x).Sum().Backward()
    let h = 1e-6
    let fd = [ for v in xs -> ((f (vec [ v + h ])).ToDouble() - (f (vec [ v - h ])).ToDouble()) / (2.0 * h) ]
    close 1e-6 fd x.Grad

let ``Tan, Asin, Acos, Atan and the hyperbolic functions match their closed forms`` () =
    use sc = Scope.Begin()
    let xs = [ -0.9; -0.3; 0.0; 0.4; 0.8 ]
    let x = vec xs
    close 1e-12 [ for v in xs -> sin v / cos v ] (x.Tan())
    close 1e-12 [ for v in xs -> Math.Asin v ] (x.Asin())
    close 1e-12 [ for v in xs -> Math.Acos v ] (x.Acos())
    close 1e-12 [ for v in xs -> Math.Atan v ] (x.Atan())
    close 1e-12 [ for v in xs -> (exp v - exp -v) / 2.0 ] (x.Sinh())
    close 1e-12 [ for v in xs -> (exp v + exp -v) / 2.0 ] (x.Cosh())
    close 1e-12 [ for v in xs -> log (v + sqrt (v * v + 1.0)) ] (x.Asinh())
    close 1e-12 [ for v in xs -> 0.5 * log ((1.0 + v) / (1.0 - v)) ] (x.Atanh())
    close 1e-12 [ for v in [ 1.0; 2.0; 5.0 ] -> log (v + sqrt (v * v - 1.0)) ] ((vec [ 1.0; 2.0; 5.0 ]).Acosh())
    // an int64 input gives float32, as every PyTorch float function of an integer tensor
    Assert.Equal(ScalarType.Float32, (longs [ 0L; 1L ]).Tan().Dtype)
    Assert.Equal(ScalarType.Float32, (longs [ 0L; 1L ]).Sinh().Dtype)

let ``Log2, Log10, Exp2, Erfinv, Erfc and Digamma give their known values`` () =
    use sc = Scope.Begin()
    close 1e-12 [ -1.; 0.; 3.; 10. ] ((vec [ 0.5; 1.; 8.; 1024. ]).Log2())
    close 1e-12 [ -2.; 0.; 3. ] ((vec [ 0.01; 1.; 1000. ]).Log10())
    close 1e-12 [ 0.125; 1.; 8. ] ((vec [ -3.; 0.; 3. ]).Exp2())
    Assert.Equal<float list>([ 1.; 8. ], List.ofArray ((longs [ 0L; 3L ]).Exp2().ToArray<float32>() |> Array.map float))
    // erfinv inverts erf (an independent op): erf(erfinv(y)) = y, and erfinv(erf(x)) = x
    let y = vec [ -0.99; -0.5; 0.0; 0.3; 0.999 ]
    close 1e-12 [ -0.99; -0.5; 0.0; 0.3; 0.999 ] (y.Erfinv().Erf())
    close 1e-12 [ 0.1; 1.5 ] ((vec [ 0.1; 1.5 ]).Erf().Erfinv())
    close 1e-15 [ 1.0 - 0.8427007929497149; 1.5374597944280349e-12 ] ((vec [ 1.0; 5.0 ]).Erfc())
    // psi(1) = -gamma, psi(1/2) = -gamma - 2 ln 2, psi(x + 1) = psi(x) + 1/x
    let g = 0.57721566490153286
    close 1e-12 [ -g; -g - 2.0 * log 2.0; -g + 1.0; -g + 1.0 + 0.5 ] ((vec [ 1.; 0.5; 2.; 3. ]).Digamma())

let ``Logit, Xlogy, Hypot and Fmod follow PyTorch, including xlogy(0, 0) = 0 and fmod's dividend sign`` () =
    use sc = Scope.Begin()
    close 1e-12 [ log (1.0 / 3.0); 0.0; log 9.0 ] ((vec [ 0.25; 0.5; 0.9 ]).Logit())
    // eps clamps p to [eps, 1 - eps] first: logit(0) with eps 0.1 = log(0.1 / 0.9)
    close 1e-12 [ log (0.1 / 0.9); log 9.0 ] ((vec [ 0.0; 1.0 ]).Logit(0.1))
    close 1e-12 [ 0.0; 0.0; 2.0 * log 3.0 ] ((vec [ 0.; 0.; 2. ]).Xlogy(vec [ 0.; 5.; 3. ]))
    Assert.True(Double.IsNegativeInfinity((vec [ 1. ]).Xlogy(vec [ 0. ]).ToDouble()))
    // a float scalar promotes an int64 tensor to float32 (the wrapped-number rule the atan2 bug broke)
    let xl = (longs [ 0L; 2L ]).Xlogy(0.5)
    Assert.Equal(ScalarType.Float32, xl.Dtype)
    close 1e-6 [ 0.0; 2.0 * log 0.5 ] xl
    close 1e-12 [ 5.0; 13.0; 1e300 * sqrt 2.0 ] ((vec [ 3.; 5.; 1e300 ]).Hypot(vec [ 4.; 12.; 1e300 ]))
    // fmod keeps the dividend's sign, remainder the divisor's
    let a = longs [ -7L; 7L; -7L ]
    let fm = a.Fmod(longs [ 3L; -3L; -3L ])
    Assert.Equal(ScalarType.Int64, fm.Dtype)
    Assert.Equal<int64 list>([ -1L; 1L; -1L ], List.ofArray (fm.ToArray<int64>()))
    Assert.Equal<int64 list>([ 2L; -2L; -1L ], List.ofArray (a.Remainder(longs [ 3L; -3L; -3L ]).ToArray<int64>()))
    Assert.Equal<int64 list>([ -1L; 1L; -1L ], List.ofArray (a.Fmod(3L).ToArray<int64>()))
    let ff = a.Fmod(2.5)
    Assert.Equal(ScalarType.Float32, ff.Dtype)
    close 1e-6 [ -2.0; 2.0; -2.0 ] ff

let ``IsInf, IsClose and NanToNum treat NaN and infinities as PyTorch does`` () =
    use sc = Scope.Begin()
    let x = vec [ 1.0; Double.PositiveInfinity; Double.NegativeInfinity; Double.NaN ]
    Assert.Equal<bool list>([ false; true; true; false ], List.ofArray (x.IsInf().ToArray<bool>()))
    Assert.Equal<bool list>([ false; true; false; false ], List.ofArray (x.IsPosInf().ToArray<bool>()))
    Assert.Equal<bool list>([ false; false; true; false ], List.ofArray (x.IsNegInf().ToArray<bool>()))
    let a = vec [ 1.0; 1.0; Double.NaN; 100.0 ]
    let b = vec [ 1.0 + 1e-9; 1.1; Double.NaN; 100.0009 ]
    Assert.Equal<bool list>([ true; false; false; true ], List.ofArray (a.IsClose(b).ToArray<bool>()))     // 100 +- (1e-8 + 1e-5 * 100.0009)
    Assert.Equal<bool list>([ true; false; true; true ], List.ofArray (a.IsClose(b, equalNan = true).ToArray<bool>()))
    Assert.Equal<bool list>([ true; true; false; true ], List.ofArray (a.IsClose(b, atol = 0.2).ToArray<bool>()))
    close 0.0 [ 1.0; Double.MaxValue; -Double.MaxValue; 0.0 ] (x.NanToNum())
    close 0.0 [ 1.0; 9.0; -9.0; -1.0 ] (x.NanToNum(-1.0, 9.0, -9.0))
    let f32 = x.To(ScalarType.Float32).NanToNum()
    Assert.Equal(float Single.MaxValue, (f32.ToArray<float32>()).[1] |> float)

let ``Div with a rounding mode truncates or floors and keeps int64 integral, true division promotes`` () =
    use sc = Scope.Begin()
    let a = longs [ -7L; 7L; -8L ]
    let b = longs [ 2L; 2L; 3L ]
    let tr = a.Div(b, RoundingMode.Trunc)
    let fl = a.Div(b, RoundingMode.Floor)
    Assert.Equal(ScalarType.Int64, tr.Dtype)
    Assert.Equal<int64 list>([ -3L; 3L; -2L ], List.ofArray (tr.ToArray<int64>()))
    Assert.Equal<int64 list>([ -4L; 3L; -3L ], List.ofArray (fl.ToArray<int64>()))
    let tru = a.Div(b, RoundingMode.None)
    Assert.Equal(ScalarType.Float32, tru.Dtype)
    close 1e-6 [ -3.5; 3.5; -8.0 / 3.0 ] tru
    Assert.Equal<int64 list>([ -4L; 3L; -4L ], List.ofArray (a.Div(2L, RoundingMode.Floor).ToArray<int64>()))
    let fs = a.Div(2.0, RoundingMode.Trunc)
    Assert.Equal(ScalarType.Float32, fs.Dtype)
    close 0.0 [ -3.0; 3.0; -4.0 ] fs
    close 0.0 [ -4.0; 3.0; -3.0 ] ((vec [ -7.; 7.; -8. ]).Div(vec [ 2.; 2.; 3. ], RoundingMode.Floor))

let ``Out-of-place Lerp, AddCMul and AddCDiv leave the input unchanged, and scalar Sub_ and Div_ work in place`` () =
    use sc = Scope.Begin()
    let a = vec [ 1.; 2.; 3. ]
    let e = vec [ 5.; 2.; -1. ]
    close 1e-12 [ 2.; 2.; 2. ] (a.Lerp(e, 0.25))
    close 1e-12 [ 1.; 2.; -1. ] (a.Lerp(e, vec [ 0.; 0.5; 1. ]))
    close 1e-12 [ 1. + 2. * 5. * 10.; 2. + 2. * 2. * 10.; 3. + 2. * -1. * 10. ] (a.AddCMul(e, vec [ 10.; 10.; 10. ], 2.0))
    close 1e-12 [ 1. + 5. / 2.; 2. + 2. / 2.; 3. - 1. / 2. ] (a.AddCDiv(e, vec [ 2.; 2.; 2. ]))
    close 0.0 [ 1.; 2.; 3. ] a
    let i = longs [ 5L; 7L ]
    i.Sub_(2L) |> ignore
    Assert.Equal<int64 list>([ 3L; 5L ], List.ofArray (i.ToArray<int64>()))
    Assert.Equal(ScalarType.Int64, i.Dtype)
    // PyTorch refuses true division in place on an int64 tensor (the result would be float)
    Assert.Throws<TorchException>(fun () -> i.Div_(2L) |> ignore) |> ignore
    let f = vec [ 3.; 6. ]
    f.Div_(3.0).Sub_(1.0) |> ignore
    close 0.0 [ 0.; 1. ] f
    f.Sub_(vec [ 1.; 1. ], 2.0) |> ignore
    close 0.0 [ -2.; -1. ] f
    f.Pow_(2L) |> ignore
    close 0.0 [ 4.; 1. ] f

let ``Unary in-place ops change the tensor itself and return it`` () =
    use sc = Scope.Begin()
    let x = vec [ 0.25; 1.0; 4.0 ]
    let r = x.Sqrt_()
    Assert.True(Object.ReferenceEquals(r, x))
    close 1e-15 [ 0.5; 1.0; 2.0 ] x
    x.Log2_().Neg_().Exp2_() |> ignore                       // 2^-log2(v) = 1 / v
    close 1e-15 [ 2.0; 1.0; 0.5 ] x
    let y = vec [ -1.5; 0.4; 2.6 ]
    close 0.0 [ -1.; 0.; 2. ] (y.Clone().Trunc_())
    close 0.0 [ -2.; 0.; 3. ] (y.Clone().Round_())
    close 0.0 [ -1.; 1.; 3. ] (y.Clone().Ceil_())
    close 0.0 [ 1.5; 0.4; 2.6 ] (y.Clone().Abs_())
    close 1e-15 [ for v in [ -1.5; 0.4; 2.6 ] -> tanh v ] (y.Clone().Tanh_())
    close 1e-15 [ for v in [ -1.5; 0.4; 2.6 ] -> 1.0 / (1.0 + exp -v) ] (y.Clone().Sigmoid_())
    close 0.0 [ 0.; 0.4; 2.6 ] (y.Clone().Relu_())
    // a float op cannot write into an int64 tensor, as in PyTorch
    Assert.Throws<TorchException>(fun () -> (longs [ 1L ]).Sqrt_() |> ignore) |> ignore

let ``The new elementwise ops differentiate like their derivatives (central differences)`` () =
    gradMatchesFd (fun x -> x.Tan()) [ -1.0; 0.2; 1.2 ]
    gradMatchesFd (fun x -> x.Asin()) [ -0.7; 0.1; 0.6 ]
    gradMatchesFd (fun x -> x.Acos()) [ -0.7; 0.1; 0.6 ]
    gradMatchesFd (fun x -> x.Atan()) [ -3.0; 0.1; 2.0 ]
    gradMatchesFd (fun x -> x.Sinh()) [ -2.0; 0.5 ]
    gradMatchesFd (fun x -> x.Cosh()) [ -2.0; 0.5 ]
    gradMatchesFd (fun x -> x.Asinh()) [ -2.0; 0.5 ]
    gradMatchesFd (fun x -> x.Acosh()) [ 1.5; 3.0 ]
    gradMatchesFd (fun x -> x.Atanh()) [ -0.5; 0.3 ]
    gradMatchesFd (fun x -> x.Log2()) [ 0.5; 3.0 ]
    gradMatchesFd (fun x -> x.Log10()) [ 0.5; 3.0 ]
    gradMatchesFd (fun x -> x.Exp2()) [ -1.0; 2.0 ]
    gradMatchesFd (fun x -> x.Erfinv()) [ -0.6; 0.2; 0.7 ]
    gradMatchesFd (fun x -> x.Digamma()) [ 0.7; 2.5 ]
    gradMatchesFd (fun x -> x.Logit()) [ 0.2; 0.6 ]
    gradMatchesFd (fun x -> x.Xlogy(vec [ 2.0 ])) [ 0.5; 3.0 ]
    gradMatchesFd (fun x -> (vec [ 1.5 ]).Xlogy(x)) [ 0.5; 3.0 ]
    gradMatchesFd (fun x -> x.Hypot(vec [ 2.0 ])) [ -1.0; 3.0 ]
    gradMatchesFd (fun x -> x.Lerp(vec [ 4.0 ], 0.3)) [ -1.0; 3.0 ]

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.OpsElementwiseTests" [
        Expecto.Tests.testCase "Tan, Asin, Acos, Atan and the hyperbolic functions match their closed forms" ``Tan, Asin, Acos, Atan and the hyperbolic functions match their closed forms``
        Expecto.Tests.testCase "Log2, Log10, Exp2, Erfinv, Erfc and Digamma give their known values" ``Log2, Log10, Exp2, Erfinv, Erfc and Digamma give their known values``
        Expecto.Tests.testCase "Logit, Xlogy, Hypot and Fmod follow PyTorch, including xlogy(0, 0) = 0 and fmod's dividend sign" ``Logit, Xlogy, Hypot and Fmod follow PyTorch, including xlogy(0, 0) = 0 and fmod's dividend sign``
        Expecto.Tests.testCase "IsInf, IsClose and NanToNum treat NaN and infinities as PyTorch does" ``IsInf, IsClose and NanToNum treat NaN and infinities as PyTorch does``
        Expecto.Tests.testCase "Div with a rounding mode truncates or floors and keeps int64 integral, true division promotes" ``Div with a rounding mode truncates or floors and keeps int64 integral, true division promotes``
        Expecto.Tests.testCase "Out-of-place Lerp, AddCMul and AddCDiv leave the input unchanged, and scalar Sub_ and Div_ work in place" ``Out-of-place Lerp, AddCMul and AddCDiv leave the input unchanged, and scalar Sub_ and Div_ work in place``
        Expecto.Tests.testCase "Unary in-place ops change the tensor itself and return it" ``Unary in-place ops change the tensor itself and return it``
        Expecto.Tests.testCase "The new elementwise ops differentiate like their derivatives (central differences)" ``The new elementwise ops differentiate like their derivatives (central differences)``
    ]
