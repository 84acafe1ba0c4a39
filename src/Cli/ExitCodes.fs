/// ExitCodes.fs: the exit codes of `gendsl` (the same in `--help` and the README) and the usage error that maps to 1.
namespace GenDsl.Cli

/// A command-line mistake found after parsing: printed, exit code 1, nothing run.
exception UsageError of string

/// The exit codes, the same in `--help` and the README.
module ExitCode =
    [<Literal>]
    let Ok = 0
    /// A script, check or usage error: nothing was run (no run folder was made).
    [<Literal>]
    let Usage = 1
    [<Literal>]
    let RunFailed = 2
    [<Literal>]
    let ExpectationFailed = 3
    [<Literal>]
    let Sigint = 130
    [<Literal>]
    let Sigterm = 143
