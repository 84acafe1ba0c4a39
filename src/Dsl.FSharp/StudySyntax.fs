/// StudySyntax.fs: the language's study types only — analyses without data or fits (KL fits, receptive fields, GDA
/// dynamics, change of variables, AR fits, variational bounds).
namespace GenDsl.Dsl

/// ECE 8803 P1b: a Gaussian q fitted to a 1-D Gaussian-mixture target p by forward KL(p||q) and by reverse KL(q||p).
type KlAsymmetrySpec =
    { /// The target p = sum_k w_k N(m_k, s_k^2): weights, means and standard deviations (K each).
      Weights: float list
      Means: float list
      Scales: float list
      /// Where both fits start: q = N(StartMu, StartSigma^2).
      StartMu: float
      StartSigma: float
      /// Plain gradient descent on (mu, log sigma).
      LearningRate: float
      Steps: int
      /// Simpson quadrature on GridPoints (odd) points over [GridLo, GridHi].
      GridLo: float
      GridHi: float
      GridPoints: int }

type MaskKind =
    | MaskA
    | MaskB

/// Mila Q1: the receptive field of one output pixel of stacked masked 3x3 convolutions, found with autograd.
type ReceptiveFieldSpec =
    { /// One stack per entry, e.g. [MaskA; MaskB] = AB (first layer A, then B).
      Stacks: MaskKind list list
      Height: int
      Width: int
      /// The output pixel, 1-based (row, column) as in the seed: (3, 4).
      Row: int
      Column: int
      /// Hidden channels between layers.
      Channels: int }


/// Mila Q6: gradient descent-ascent on V(d, g) = d g from (D0, G0) with step Alpha.
type GdaDynamicsSpec =
    { Alpha: float
      D0: float
      G0: float
      Steps: int
      Schemes: GdaScheme list }

/// A random variable whose density is derived by change of variables (ECE 8803 P5).
type Transform =
    /// 5a: 1/X for X standard Cauchy (again standard Cauchy); histogram over [-Range, Range].
    | ReciprocalCauchy of range: float
    /// 5b: e^Y for Y ~ N(mu, sigma^2): lognormal, p(x) = N(log x; mu, sigma^2) / x.
    | ExpNormal of mu: float * sigma: float
    /// 5c: the distance from (1,1) of a uniform point on [0,2]^2.
    | DistanceFromCentre

/// DS-GA 1008 2.3-2.4: the variational lower bound L(q) = E_q log(p(x, z) / q(z)) of log p(x) on part 1's ring GMM
/// (K equal weights, mu_k = R (cos 2 pi k/K, sin 2 pi k/K), Sigma_k = I_2) for q = Uniform{1..K} and q = p(z | x, theta).
type VariationalBoundsSpec =
    { /// 2.3's rings (K = Components); each radius is also a fixed-radius series of 2.4's sweep.
      Radii: float list
      /// K of 2.3.
      Components: int
      /// Points x ~ p(x) per ring.
      Points: int
      /// 2.4's numbers of components: for each radius, and for components kept apart (R = K).
      Sweep: int list
      /// Seed of the points; None: the experiment's.
      Seed: uint64 option }

/// ECE 8803 P5: histograms of samples against the derived densities.
type ChangeOfVariablesSpec =
    { Transforms: Transform list
      /// Samples per transform.
      N: int
      Bins: int
      /// Seed of the samples; None: the experiment's.
      Seed: uint64 option }

/// Seed 002 P1: an AR(p) series simulated from known coefficients, then fitted by maximum likelihood (least squares).
type ArFitSpec =
    { /// The true phi_1..phi_p (a stationary AR).
      Phi: float list
      /// The true noise variance sigma^2.
      Sigma2: float
      /// Length T of the series (the first p values are the fixed start, 0).
      Length: int
      /// The order of the fitted model (may differ from the true order).
      Order: int
      /// Seed of the series; None: the experiment's.
      Seed: uint64 option }

/// One case per kind of study, so the interpreter's match is exhaustive: a study it lacks is a compile error.
type StudyKind =
    | KlAsymmetry of KlAsymmetrySpec
    | ReceptiveFields of ReceptiveFieldSpec
    | GdaDynamics of GdaDynamicsSpec
    | ChangeOfVariables of ChangeOfVariablesSpec
    | ArFit of ArFitSpec
    | VariationalBounds of VariationalBoundsSpec

/// A labelled study; its claims (what the seed implies) are checked after the run and listed as expectations.
type Study = { Label: string; Kind: StudyKind }

