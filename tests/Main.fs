/// Main.fs: `dotnet run --project tests [-- Expecto options]` runs every test with Expecto's runner, one at a time (the tests
/// share libtorch's threads and default generators); `dotnet run --project tests -- --help` lists Expecto's options.
module GenDsl.Tests.Main

[<EntryPoint>]
let main argv = Expecto.Tests.runTestsInAssemblyWithCLIArgs [ Expecto.Tests.CLIArguments.Sequenced ] argv
