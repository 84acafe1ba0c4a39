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

/// A Schedule with every length resolved to optimizer steps for one fit (the lengths of its phases, and the steps a
/// cosine anneals over: what is left of the fit after the phases before it).
type StepSchedule =
    | ConstantLr
    | StepLr of every: int64 * gamma: float
    | CosineLr of steps: int64 * floor: float
    | WarmupLr of steps: int64 * after: StepSchedule
    | HoldLr of steps: int64 * factor: float * after: StepSchedule

/// The numbers of a gradient fit, resolved once by the checker from the fit and the case's training data: the trainer
/// and the families read these, and decide none of them again.
type ResolvedFit =
    { /// Examples per step (the whole training data when the fit gives no batch).
      Batch: int
      /// ceil(N / Batch): what one epoch of any length in the fit is.
      StepsPerEpoch: int64
      /// Optimizer steps in all.
      Steps: int64
      /// Evaluate every n steps (and after the last); 0: after the last only.
      EvalEvery: int64
      /// A resumable checkpoint every n steps (and after the last); 0: none but when a run is stopped.
      CheckpointEvery: int64
      Schedule: StepSchedule
      /// The update rule with every setting (PyTorch's defaults filled in by the builders).
      Optimizer: Optimizer }

/// A checked experiment ready to run: the resolved value plus what checking derived.
type PlannedCase =
    { Case: Case
      /// Examples in the training data (the training split after subsets).
      N: int
      /// Numbers per example (the product of Shape).
      Dim: int
      /// The shape of one example, e.g. [2], [784] or [1; 32; 32].
      Shape: int list
      /// The resolved numbers of each gradient fit, by fit name.
      Resolved: Map<string, ResolvedFit> }

type Plan = { Experiment: Experiment; Cases: PlannedCase list }
