/// StudyDescribeTests.fs: every kind of study survives describe's JSON and the parser back.
module GenDsl.Tests.Dsl.StudyDescribeTests

open Xunit
open GenDsl.Dsl

/// One study of each kind, none at its builder's defaults where a field can differ.
let studies =
    Experiment.create "studies"
    |> Experiment.seed 42UL
    |> Experiment.withStudies
        [ Study.klAsymmetry "kl" |> Study.klTarget [ 0.2; 0.3; 0.5 ] [ -3.0; 0.5; 4.25 ] [ 0.5; 1.0; 2.0 ] |> Study.steps 17
          { Study.receptiveFields "rf" with Kind = ReceptiveFields { Stacks = [ [ MaskA ]; [ MaskB; MaskA; MaskB ] ]; Height = 7; Width = 6; Row = 7; Column = 1; Channels = 2 } }
          { Label = "gda"; Kind = GdaDynamics { Alpha = 0.25; D0 = -1.5; G0 = 1e-300; Steps = 3; Schemes = [ Alternating ] } }
          Study.changeOfVariables "cov" 123 |> Study.seeded 9UL
          { Label = "cov2"; Kind = ChangeOfVariables { Transforms = [ DistanceFromCentre; ReciprocalCauchy 2.5 ]; N = 5; Bins = 3; Seed = None } }
          Study.arFit "ar" [ 0.6; -0.3; 0.2 ] 0.5 2000 |> Study.order 5 |> Study.seeded 18446744073709551615UL
          Study.variationalBounds "vb" |> Study.radii [ 2.5; 0.125 ] |> Study.sweep [ 3; 7 ] |> Study.points 17 |> Study.seeded 5UL ]
    |> Experiment.note "n"

let ``describe round-trips an experiment holding every kind of study`` () =
    Assert.Equal(Ok studies, Describe.ofJson (Describe.toJson studies))

let ``describe round-trips an experiment mixing cases and studies`` () =
    let mixed = { CheckTests.good with Studies = studies.Studies }
    Assert.Equal(Ok mixed, Describe.ofJson (Describe.toJson mixed))

let ``describe writes study defaults explicitly and its parser names an unknown study kind`` () =
    let json = Describe.toJson studies
    for key in [ "\"kind\": \"kl_asymmetry\""; "\"grid_points\": 3001"; "\"stacks\": [\n"; "\"mask_b\""; "\"schemes\": [\n"; "\"distance_from_centre\""; "\"order\": 5"; "\"length\": 2000"; "\"kind\": \"variational_bounds\"" ] do
        Assert.Contains(key, json)
    match Describe.ofJson (json.Replace("\"kind\": \"gda_dynamics\"", "\"kind\": \"vae_fit\"")) with
    | Error m -> Assert.Contains("expected one of kl_asymmetry {...}, receptive_fields {...}, gda_dynamics {...}", m)
    | Ok _ -> failwith "an unknown study kind was accepted"

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.StudyDescribeTests" [
        Expecto.Tests.testCase "describe round-trips an experiment holding every kind of study" ``describe round-trips an experiment holding every kind of study``
        Expecto.Tests.testCase "describe round-trips an experiment mixing cases and studies" ``describe round-trips an experiment mixing cases and studies``
        Expecto.Tests.testCase "describe writes study defaults explicitly and its parser names an unknown study kind" ``describe writes study defaults explicitly and its parser names an unknown study kind``
    ]
