// Mila DGM Q1: receptive fields of output pixel (3,4) for two stacked masked 3x3 convolutions (AA, AB, BA, BB), by autograd.
//
// Run:    dotnet run --project src/Cli -- experiments/mila_dgm_q1_masked_conv_receptive_fields.fsx
//
// The #r below is only for editors; the gendsl host pre-references the DSL (see cse599i_hw1_p7_gmm.fsx).
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

// Type A masks [[0,0,0],[1,0,0],[1,1,1]], type B [[0,0,0],[1,1,0],[1,1,1]] (the seed's convention: an output reads
// the pixel to its left and the row below; type B also itself). A 5x5 map, output pixel (3, 4), 1-based.
let experiment =
    Experiment.create "mila_dgm_q1_masked_conv_receptive_fields"
    |> Experiment.titled "Mila DGM Q1 — receptive fields of masked convolutions AA, AB, BA, BB"
    |> Experiment.seed 61UL
    |> Experiment.withStudy (Study.receptiveFields "q1")
    |> Experiment.note "The field of a stack is every sum of one allowed offset per layer, kept on the map (autograd and this hand derivation agree for all four). Every field holds the rows below the output pixel; in its own row, AA reaches only (3, 2), AB and BA also (3, 3), and BB also (3, 4): the output pixel itself. So a stack that starts with a type-A layer never lets a pixel see its own input value, the reason PixelCNN uses type A on the input and type B after it."
