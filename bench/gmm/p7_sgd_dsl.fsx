// p7_sgd_dsl.fsx: P7's SGD alone through the DSL (5,000 one-point steps, the full-data log-likelihood logged every step as
// the seed's plot needs), to set its fit seconds (summary.json) beside bench/gmm/p7_torch.py's sgd loop, which does the
// same work: bench/gmm/p7_sgd.sh runs both.
//   dotnet run --project src/Cli -- bench/gmm/p7_sgd_dsl.fsx --threads 2 -o /tmp/bench-runs
#if !GENDSL_HOST
#r "../../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

let experiment =
    Experiment.create "bench_p7_sgd_dsl"
    |> Experiment.seed 599UL
    |> Experiment.withCase (Case.create "p7" (Data.cse599iP7 3000) (Model.gmm 3 |> Model.fixedWeights) [ Fit.sgd 0.01 5000 ])
    |> Experiment.metrics [ Nll ]
