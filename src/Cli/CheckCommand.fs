/// CheckCommand.fs: `gendsl check` and `gendsl describe`: the plan or the resolved config, nothing trained.
module GenDsl.Cli.CheckCommand

open System
open System.IO
open Argu
open GenDsl.Dsl
open GenDsl.Cli.Args
open GenDsl.Cli.Common

let execute (o: ParseResults<Args>) (a: ParseResults<CheckArgs>) (describe: bool) =
    let script = a.GetResult CheckArgs.Script
    match plans script (o.TryGetResult Seed) (assignmentsOf o) (o.GetResults Only_Case) with
    | Error code -> code
    | Ok ps ->
        for p in ps do
            if describe then printfn "%s" (Describe.toJson p.Experiment)
            else
                printfn "%s: ok — %d case(s), %d stud(ies), nothing trained" p.Experiment.Name p.Cases.Length p.Experiment.Studies.Length
                for c in p.Cases do
                    printfn "  case %s: N = %d, D = %d, fits %s" c.Case.Label c.N c.Dim (String.Join(", ", c.Case.Fits |> List.map (fun f -> sprintf "%s (%s)" f.Name (match f.Fitter with ClosedForm -> "closed form" | Em m -> sprintf "EM, %d iterations" m.Iterations | Gradient t -> Check.budgetText t c.Resolved.[f.Name]))))
                for s in p.Experiment.Studies do
                    printfn "  study %s: %s" s.Label (match s.Kind with KlAsymmetry _ -> "KL asymmetry" | ReceptiveFields _ -> "receptive fields" | GdaDynamics _ -> "GDA dynamics" | ChangeOfVariables _ -> "change of variables" | ArFit _ -> "AR fit" | VariationalBounds _ -> "variational bounds")
        ExitCode.Ok
