/// Syntax.fs: the experiment language's types only — data, models, fits, metrics, plots, expectations.
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
      Seed: uint64 option }

/// Where the training data comes from.
type DataSpec =
    | MixtureSample of MixtureSampleSpec
    /// Given points, N rows of D numbers.
    | Points of float list list

type Covariance =
    | Identity
    | Spherical
    | Diagonal
    | Full

/// How a mixture's parameters start.
type GmmStart =
    /// K data points drawn at random (the homework's start).
    | RandomPoints
    | KMeansPlusPlus
    /// Given means (K rows of D numbers), weights 1/K.
    | StartMeans of float list list

/// A Gaussian mixture with K components.
type GmmSpec =
    { K: int
      Covariance: Covariance
      /// false: weights stay 1/K (CSE 599i P7), true: they are fitted too.
      LearnWeights: bool
      Start: GmmStart
      /// Restarts; the best final log-likelihood wins.
      NInit: int
      RegCovar: float }

/// One case per model, so the interpreter's match is exhaustive: a model it lacks is a compile error.
type ModelSpec = Gmm of GmmSpec

type FitMethod =
    /// Full-batch gradient ascent on the mean log-likelihood.
    | GradientAscent
    /// Stochastic gradient ascent on mini-batches.
    | Sgd
    /// Expectation-maximisation (closed-form M-step, CSE 599i P4).
    | Em

/// The update rule of a gradient fit: theta <- theta + lr * grad mean log p(x | theta).
type Optimizer = PlainGradient

/// How the learning rate changes over steps.
type Schedule = Constant

/// One way to fit the model; fits of a case are compared side by side.
type FitSpec =
    { Name: string
      Method: FitMethod
      Optimizer: Optimizer
      LearningRate: float
      /// Iterations k = 1..Steps (the curve has k = 0..Steps).
      Steps: int
      BatchSize: int
      Schedule: Schedule
      /// Stop when the mean log-likelihood improves by less (0: never stop early).
      Tol: float
      /// Evaluate the full-data log-likelihood every n steps.
      EvalEvery: int }

/// One data set + model + fits; a sweep is a list of cases.
type Case =
    { Label: string
      Data: DataSpec
      Model: ModelSpec
      Fits: FitSpec list }

/// A number reported for every fit.
type MetricSpec =
    /// - mean_i log p(x_i), in nats.
    | Nll
    | Aic
    | Bic
    /// NLL of the data under the true mixture (known data sources only).
    | TrueNll
    /// Mean distance between fitted and true means, components matched greedily.
    | MeanError
    /// Largest |pi_k - true pi_k| after matching.
    | WeightError

type PlotSpec =
    /// The data coloured by the component that drew each point.
    | DataScatter
    /// Mean log-likelihood vs iteration, one figure per fit.
    | LogLikelihoodCurves
    /// The data with the true and every fit's final means drawn over it.
    | FinalMeansOverData
    /// The true density on a grid x grid lattice, as a heatmap with contours.
    | DensityHeatmap of grid: int
    /// The final NLL of each fit side by side.
    | FinalNllBars
    /// Estimated vs true weights and means, per case.
    | ParameterComparison

type Comparison =
    | Below
    | Above

/// A claim checked after the run, e.g. "final NLL < 3.95" for every fit.
type Expectation =
    { Metric: MetricSpec
      /// None: every fit of every case.
      Fit: string option
      Comparison: Comparison
      Value: float }


// ---- studies: analyses a seed problem asks a picture or a number of, with no data set or fits ----

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

type GdaScheme =
    /// d and g both step from (d_k, g_k).
    | Simultaneous
    /// d steps first, g then steps from (d_{k+1}, g_k).
    | Alternating

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

/// A labelled study; its claims (what the seed implies) are checked after the run and listed as expectations.
type Study = { Label: string; Kind: StudyKind }

type Experiment =
    { Name: string
      Title: string
      Seed: uint64
      Cases: Case list
      /// Analyses without data or fits (KL fits, receptive fields, dynamics, densities, AR fits).
      Studies: Study list
      Metrics: MetricSpec list
      Plots: PlotSpec list
      Expectations: Expectation list
      /// Interpretation and remarks, printed in the report.
      Notes: string list }

/// What is wrong with an experiment, found before any training.
type DslError =
    | NoCases of experiment: string
    | NoFits of case: string
    | EmptyData of case: string
    | RaggedData of case: string * row: int * expected: int * actual: int
    | ZeroComponents of case: string * k: int
    | FewerPointsThanComponents of case: string * n: int * k: int
    | NonPositiveLearningRate of case: string * fit: string * lr: float
    | NonPositiveSteps of case: string * fit: string * steps: int
    | NonPositiveBatch of case: string * fit: string * batch: int
    | NonPositiveEvalEvery of case: string * fit: string * every: int
    | NegativeTolerance of case: string * fit: string * tol: float
    | DimensionMismatch of case: string * what: string * expected: int * actual: int
    | ComponentCountMismatch of case: string * what: string * expected: int * actual: int
    | BadWeights of case: string * reason: string
    | DuplicateName of what: string * name: string
    | UnknownFitInExpectation of fit: string * known: string list
    | NeedsTrueMixture of case: string * metric: string
    | UnknownOverride of key: string * suggestion: string option
    | BadOverrideValue of key: string * value: string * expected: string
    | BadSetting of what: string * reason: string
    | EmptyStudy of study: string * what: string
    | NonPositiveStudySetting of study: string * setting: string * value: float
    | EvenQuadraturePoints of study: string * points: int
    | EmptyInterval of study: string * lo: float * hi: float
    | PixelOutsideMap of study: string * row: int * column: int * height: int * width: int
    | NonStationaryAr of study: string * phi: float list
    | OrderTooLong of study: string * order: int * length: int

/// A checked experiment ready to run: the resolved value plus what checking derived.
type PlannedCase = { Case: Case; N: int; Dim: int }

type Plan = { Experiment: Experiment; Cases: PlannedCase list }
