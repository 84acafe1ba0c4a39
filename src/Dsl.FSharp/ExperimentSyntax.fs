/// ExperimentSyntax.fs: the experiment value itself, the errors checking finds in it, and the plan it becomes.
namespace GenDsl.Dsl

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
    | UnknownCaseInExpectation of case: string * known: string list
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
    /// A network's layers do not chain: the layer (0-based index, printed form) and why.
    | ShapeMismatch of case: string * net: string * layer: int * layerText: string * reason: string
    /// A fitter (EM, gradient) or objective that this model family does not have.
    | NotAccepted of case: string * fit: string * family: string * what: string * accepted: string list
    /// A number that must be finite is not (NaN, infinity).
    | NonFinite of what: string * value: float

/// A checked experiment ready to run: the resolved value plus what checking derived.
type PlannedCase =
    { Case: Case
      /// Examples in the training data.
      N: int
      /// Numbers per example (the product of Shape).
      Dim: int
      /// The shape of one example, e.g. [2], [784] or [1; 32; 32].
      Shape: int list }

type Plan = { Experiment: Experiment; Cases: PlannedCase list }
