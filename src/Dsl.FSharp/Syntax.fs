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

type Experiment =
    { Name: string
      Title: string
      Seed: uint64
      Cases: Case list
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

/// A checked experiment ready to run: the resolved value plus what checking derived.
type PlannedCase = { Case: Case; N: int; Dim: int }

type Plan = { Experiment: Experiment; Cases: PlannedCase list }
