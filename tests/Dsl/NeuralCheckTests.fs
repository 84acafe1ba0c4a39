/// NeuralCheckTests.fs: networks whose shapes do not chain, impossible sizes and fitters or objectives a family does not
/// have are each a specific error before anything is read or trained.
module GenDsl.Tests.Dsl.NeuralCheckTests

open Xunit
open GenDsl.Dsl

let private exp (data: DataSpec) (model: ModelSpec) (fits: FitSpec list) =
    Experiment.create "x" |> Experiment.withCase (Case.create "c" data model fits)

let private errorsOf e = match Check.plan e with Ok _ -> [] | Error es -> es
let private elbo = Fit.adam 1e-3 (Epochs 1) |> Fit.objective Elbo
let private binary = Data.mnist |> Data.binarized

let ``an encoder whose widths do not reach 2 x latent names the net, the layer and the shapes`` () =
    let bad = Model.vae (Net.mlp [ 400 ] 30) (Net.mlp [ 400 ] 784) [ 20 ]
    match errorsOf (exp binary bad [ elbo ]) with
    | [ ShapeMismatch ("c", "encoder", 2, "Linear 30", why) as e ] ->
        Assert.Contains("(784) into (30), but (40) is needed", why)
        Assert.StartsWith("case 'c': encoder layer 2 (Linear 30)", Check.message e)
    | other -> failwithf "expected one ShapeMismatch, got %A" other

let ``a convolution on flat images and an Unflatten to the wrong size are caught at their layer`` () =
    let conv = Model.vae [ Conv2d(8, 3, 2, 1) ] (Net.mlp [ 10 ] 784) [ 4 ]
    match errorsOf (exp binary conv [ elbo ]) with
    | ShapeMismatch ("c", "encoder", 0, _, why) :: _ -> Assert.Contains("needs (channels, height, width) input, got (784)", why)
    | other -> failwithf "expected a ShapeMismatch at layer 0, got %A" other
    let unflat = Model.vae [ Unflatten [ 1; 28; 27 ] ] (Net.mlp [ 10 ] 784) [ 4 ]
    match errorsOf (exp binary unflat [ elbo ]) with
    | ShapeMismatch ("c", "encoder", 0, _, why) :: _ -> Assert.Contains("cannot reshape 784 features to (1, 28, 27) (756)", why)
    | other -> failwithf "expected a ShapeMismatch at layer 0, got %A" other

let ``a residual block that changes the shape is refused`` () =
    let bad = Model.vae [ Linear 8; Residual [ Linear 9 ] ] (Net.mlp [ 10 ] 784) [ 4 ]
    match errorsOf (exp binary bad [ elbo ]) with
    | ShapeMismatch ("c", "encoder", 1, "Residual [1 layers]", why) :: _ -> Assert.Contains("turn (8) into (9)", why)
    | other -> failwithf "expected a ShapeMismatch at the residual block, got %A" other

let ``the pytorch-generative conv VAE chains on 32x32 images but not on 28x28`` () =
    let images pad = Data.mnist |> Data.dynamicBinarized |> Data.images pad
    Assert.Empty(errorsOf (exp (images 2) Model.vaeConv [ elbo ]))
    Assert.NotEmpty(errorsOf (exp (images 0) Model.vaeConv [ elbo ]))

let ``a latent size of 0 and K = 0 components are errors`` () =
    Assert.Contains(BadSetting("case 'c'", "the latent shape needs positive sizes, got (0)"), errorsOf (exp binary (Model.vae [ Linear 0 ] [ Linear 784 ] [ 0 ]) [ elbo ]))
    Assert.Contains(ZeroComponents("c", 0), errorsOf (exp binary (Model.bmm 0) [ Fit.em 5 ]))

let ``EM asked of a VAE, a gradient fit of a Bernoulli mixture and an objective a family lacks are refused with what it accepts`` () =
    match errorsOf (exp binary (Model.vaeMlp 784 10 2) [ Fit.em 5 ]) with
    | [ NotAccepted ("c", "em", "VAE", what, _) ] -> Assert.Contains("EM", what)
    | other -> failwithf "expected NotAccepted, got %A" other
    match errorsOf (exp binary (Model.bmm 3) [ elbo ]) with
    | [ NotAccepted ("c", "adam", "Bernoulli mixture", "gradient fit", [ "Fit.em" ]) ] -> ()
    | other -> failwithf "expected NotAccepted, got %A" other
    match errorsOf (exp (Data.mnist |> Data.dequantized) Model.nice [ Fit.adam 1e-3 (Epochs 1) |> Fit.objective (Iwae 5) ]) with
    | [ NotAccepted ("c", "adam", "NICE", "IWAE-5", _) ] -> ()
    | other -> failwithf "expected NotAccepted, got %A" other
    // A VAE has no exact likelihood to maximise: the default objective must be changed.
    match errorsOf (exp binary (Model.vaeMlp 784 10 2) [ Fit.adam 1e-3 (Epochs 1) ]) with
    | [ NotAccepted ("c", "adam", "VAE", "exact likelihood to maximise", _) ] -> ()
    | other -> failwithf "expected NotAccepted, got %A" other

let ``families and data must fit each other, and a Bernoulli mixture needs binarised pixels`` () =
    // Pairing is by shape (issue 21): a GMM on binarised MNIST vectors and NICE on 2-D points are fine now; token
    // windows are not vectors.
    Assert.Empty(errorsOf (exp (Data.mnist |> Data.binarized) (Model.gmm 3) [ Fit.em 3 ]))
    Assert.Empty(errorsOf (exp (Data.cse599iP7 30) (Model.nice |> Model.niceSize 2 8 1) [ Fit.adam 1e-3 (Steps 1) |> Fit.batch 10 ]))
    Assert.NotEmpty(errorsOf (exp (Data.wikiText2 20) (Model.gmm 3) [ Fit.em 3 ]))
    Assert.NotEmpty(errorsOf (exp (Data.wikiText2 20) Model.nice [ Fit.adam 1e-3 (Steps 1) ]))
    Assert.Contains(BadSetting("case 'c'", "a Bernoulli mixture needs binary data: use Data.mnist |> Data.binarized"), errorsOf (exp Data.mnist (Model.bmm 3) [ Fit.em 3 ]))

let ``training settings are checked: keep-best needs a split, a batch larger than the data, warm-up and IWAE sizes`` () =
    let small = binary |> Data.subset 100
    let e f = errorsOf (exp small (Model.vaeMlp 784 10 2) [ f ])
    Assert.Contains(BadSetting("case 'c', fit 'adam'", "keep-best needs a split to evaluate on: add Fit.evalOn [ Valid ]"), e (elbo |> Fit.keepBest))
    Assert.Contains(BadSetting("case 'c', fit 'adam'", "the batch (128) is larger than the data (100 examples): use Fit.batch 100 or fewer"), e (elbo |> Fit.batch 128))
    Assert.Contains(BadSetting("case 'c', fit 'adam'", "warm-up needs >= 1 step, got 0"), e (elbo |> Fit.schedule (Warmup(Steps 0, Constant))))
    Assert.Contains(BadSetting("case 'c', fit 'adam'", "IWAE needs K >= 1 samples, got 0"), e (elbo |> Fit.objective (Iwae 0)))

let ``a non-finite number anywhere in the experiment is named by its describe path`` () =
    let errs = errorsOf (exp binary (Model.vaeMlp 784 10 2) [ Fit.adam nan (Epochs 1) |> Fit.objective Elbo ])
    Assert.Contains(NonFinite("cases.c.fits.adam.fitter.optimizer.lr", nan) |> Check.message, errs |> List.map Check.message)

let ``--set reaches any leaf of the description by a short path and refuses non-finite values`` () =
    let e = exp binary (Model.vaeMlp 784 10 2) [ elbo ]
    match Settings.applyOverrides [ "adam.lr=0.01"; "budget.epochs=3"; "data.subset=500" ] e with
    | Ok e2 ->
        match e2.Cases.Head.Fits.Head.Fitter, e2.Cases.Head.Data with
        | Gradient { Optimizer = Adam a; Budget = Epochs 3 }, Mnist { Subset = Some 500 } -> Assert.Equal(0.01, a.Lr)
        | other -> failwithf "unexpected %A" other
    | Error errs -> failwithf "%A" errs
    for bad in [ "inf"; "1e400"; "nan"; "-inf" ] do
        Assert.Equal(Error [ BadOverrideValue("adam.lr", bad, "a finite number") ], Settings.applyOverrides [ "adam.lr=" + bad ] e |> Result.map ignore)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.NeuralCheckTests" [
        Expecto.Tests.testCase "an encoder whose widths do not reach 2 x latent names the net, the layer and the shapes" ``an encoder whose widths do not reach 2 x latent names the net, the layer and the shapes``
        Expecto.Tests.testCase "a convolution on flat images and an Unflatten to the wrong size are caught at their layer" ``a convolution on flat images and an Unflatten to the wrong size are caught at their layer``
        Expecto.Tests.testCase "a residual block that changes the shape is refused" ``a residual block that changes the shape is refused``
        Expecto.Tests.testCase "the pytorch-generative conv VAE chains on 32x32 images but not on 28x28" ``the pytorch-generative conv VAE chains on 32x32 images but not on 28x28``
        Expecto.Tests.testCase "a latent size of 0 and K = 0 components are errors" ``a latent size of 0 and K = 0 components are errors``
        Expecto.Tests.testCase "EM asked of a VAE, a gradient fit of a Bernoulli mixture and an objective a family lacks are refused with what it accepts" ``EM asked of a VAE, a gradient fit of a Bernoulli mixture and an objective a family lacks are refused with what it accepts``
        Expecto.Tests.testCase "families and data must fit each other, and a Bernoulli mixture needs binarised pixels" ``families and data must fit each other, and a Bernoulli mixture needs binarised pixels``
        Expecto.Tests.testCase "training settings are checked: keep-best needs a split, a batch larger than the data, warm-up and IWAE sizes" ``training settings are checked: keep-best needs a split, a batch larger than the data, warm-up and IWAE sizes``
        Expecto.Tests.testCase "a non-finite number anywhere in the experiment is named by its describe path" ``a non-finite number anywhere in the experiment is named by its describe path``
        Expecto.Tests.testCase "--set reaches any leaf of the description by a short path and refuses non-finite values" ``--set reaches any leaf of the description by a short path and refuses non-finite values``
    ]
