/// Studies/Studies.fs: the one match over StudyKind — each kind's operations (check, memory estimate, run and render)
/// come from its own file in Studies/; a new study kind adds one line here.
module GenDsl.Dsl.Studies

open GenDsl.Dsl.StudyCommon

let private ops (kind: StudyKind) : StudyOps =
    match kind with
    | KlAsymmetry k -> KlAsymmetryStudy.ops k
    | ReceptiveFields r -> ReceptiveFieldsStudy.ops r
    | GdaDynamics g -> GdaDynamicsStudy.ops g
    | ChangeOfVariables c -> ChangeOfVariablesStudy.ops c
    | ArFit a -> ArFitStudy.ops a
    | VariationalBounds v -> VariationalBoundsStudy.ops v

/// The study's errors before it runs (pure).
let check (s: Study) : DslError list = (ops s.Kind).Check s.Label

/// The bytes the study needs at its peak, estimated from its sizes (pure).
let bytes (s: Study) : float = (ops s.Kind).Bytes ()

/// Runs the study with the core (no IO) and renders what it computed: claims, report paragraph, tables, figures and
/// summary entry. The experiment's seed is used where the study has none of its own.
let run (seed: uint64) (s: Study) : StudyOutput = (ops s.Kind).Run seed s.Label
