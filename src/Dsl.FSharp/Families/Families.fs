/// Families/Families.fs: the one match over ModelSpec — each family's operations (check, fits it accepts, memory, run,
/// sample) come from its own file in Families/; a new family adds one case to ModelSpec, one file and one line here.
module GenDsl.Dsl.Families

open GenDsl.Dsl.FamilyCommon

let ops (m: ModelSpec) : FamilyOps =
    match m with
    | Gmm g -> GmmFamily.ops g
    | Bmm b -> BmmFamily.ops b
    | Vae v -> VaeFamily.ops v
    | Nice n -> NiceFamily.ops n
    | TransformerLm l -> LmFamily.ops l
    | Kde k -> KdeFamily.ops k
    | Ebm e -> EbmFamily.ops e
    | Gan g -> GanFamily.ops g
    | UserModel m -> CustomFamily.ops m

/// The family's name in messages.
let name (m: ModelSpec) = (ops m).Name

/// Runs every fit of a checked case with its family.
let runCase (ctx: Fitting.Context) = (ops ctx.Planned.Case.Model).Run ctx
