/// Args.fs: the `gendsl` command line's arguments (Argu unions, one per command) and the exit codes' help text.
module GenDsl.Cli.Args

open System
open Argu

type RunArgs =
    | [<MainCommand; ExactlyOnce>] Script of script: string
    | [<AltCommandLine("-o")>] Out of folder: string
    | Nproc of workers: int
    | Nnodes of machines: int
    | Node_Rank of rank: int
    | Master of address: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Nproc _ -> "data-parallel: start this many worker processes here (torchrun's --nproc_per_node); the batch is split over all workers."
            | Nnodes _ -> "data-parallel over machines: how many machines run `gendsl run ... --nproc N` (default 1)."
            | Node_Rank _ -> "with --nnodes: this machine's number, 0..nnodes-1 (machine 0 serves the store and writes the run folder)."
            | Master _ -> "with --nnodes: host:port of machine 0's store, reachable from every machine (e.g. 10.0.0.1:29500)."
            | Script _ -> "the experiment script (.fsx) binding `experiment` or `experiments`."
            | Out _ -> "root folder of the runs (default runs/): each run goes to <folder>/<experiment>/<timestamp>/."

type CheckArgs =
    | [<MainCommand; ExactlyOnce>] Script of script: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Script _ -> "the experiment script (.fsx)."

type ResumeArgs =
    | [<MainCommand; ExactlyOnce>] Folder of folder: string
    | Nproc of workers: int
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Nproc _ -> "data-parallel on this machine: continue with this many worker processes (any number: the data order is global)."
            | Folder _ -> "a run folder (runs/<experiment>/<timestamp>/) whose run was interrupted or failed; or a finished one whose fits --set lengthens (e.g. --set pixelcnn.adam.epochs=20: more epochs from its last checkpoint)."

type SampleArgs =
    | [<MainCommand; ExactlyOnce>] Folder of folder: string
    | Fit of name: string
    | [<AltCommandLine("-n")>] Count of n: int
    | Prompt of text: string
    | Temperature of t: float
    | Top_K of k: int
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Folder _ -> "a finished run folder (runs/<experiment>/<timestamp>/)."
            | Fit _ -> "the fit to draw from (default: the case's first)."
            | Count _ -> "images to draw, or tokens to generate (default 36)."
            | Prompt _ -> "language models: the text to continue (default \"the\")."
            | Temperature _ -> "softmax temperature for language models, prior temperature for NICE (default 1)."
            | Top_K _ -> "language models: draw from the k most likely tokens (default 0: all)."

type ListArgs =
    | [<MainCommand>] Folder of folder: string
    | [<AltCommandLine("-o")>] Out of folder: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Folder _ -> "folder of experiment scripts (default experiments/)."
            | Out _ -> "root folder of the runs (default runs/)."

type ExportArgs =
    | [<MainCommand; Mandatory>] Folders of folder: string list
    | To of folder: string
    | Page of file: string
    | Readme of file: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Folders _ -> "run folders (runs/<experiment>/<timestamp>/), an experiment's runs (runs/<experiment>/) or a root of runs (runs/): its finished runs, the newest per experiment and set of cases; an earlier export's folder (docs/results/) is one too, so `export docs/results runs/ --to docs/results` adds runs to it."
            | To _ -> "the folder of the figure files, replaced whole (default docs/results)."
            | Page _ -> "the Markdown page (default: the --to folder's path + .md, i.e. docs/results.md)."
            | Readme _ -> "the README whose experiment table lists the seed problems (default README.md)."

type CompareArgs =
    | [<MainCommand; Mandatory>] Folders of folder: string list
    | [<AltCommandLine("-o")>] Out of file: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Folders _ -> "two or more run folders (runs/<experiment>/<timestamp>/)."
            | Out _ -> "the page to write (default runs/compare/<time>/compare.html; plotly.min.js is put beside it)."

type WatchArgs =
    | [<MainCommand; ExactlyOnce>] Folder of folder: string
    | Every of seconds: float
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Folder _ -> "a run folder (runs/<experiment>/<timestamp>/), running or not."
            | Every _ -> "seconds between looks (default 2)."

type Args =
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<RunArgs>
    | [<CliPrefix(CliPrefix.None)>] Check of ParseResults<CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Describe of ParseResults<CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Resume of ParseResults<ResumeArgs>
    | [<CliPrefix(CliPrefix.None)>] Sample of ParseResults<SampleArgs>
    | [<CliPrefix(CliPrefix.None)>] List of ParseResults<ListArgs>
    | [<CliPrefix(CliPrefix.None)>] Export of ParseResults<ExportArgs>
    | [<CliPrefix(CliPrefix.None)>] Compare of ParseResults<CompareArgs>
    | [<CliPrefix(CliPrefix.None)>] Watch of ParseResults<WatchArgs>
    // Options several commands share: given after the command (`gendsl run x.fsx --seed 3`); `applies` says which take them.
    | [<Inherit>] Seed of seed: uint64
    | [<Inherit; CustomCommandLine("--set")>] Set_Param of assignment: string
    | [<Inherit; CustomCommandLine("--set-all")>] Set_All of assignment: string
    | [<Inherit; CustomCommandLine("--case")>] Only_Case of label: string
    | [<Inherit>] Threads of count: int
    | [<Inherit>] Device of device: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Seed _ -> "run/check/describe: the experiment's seed (same as --set seed=N); sample: the seed of the draw (default 0)."
            | Set_Param _ -> "resume: lengthen a fit's budget (steps or epochs), nothing else. run/check/describe: override a named parameter, key=value (repeatable), e.g. --set sgd.steps=500; `describe` lists the keys; a label with '.' or '=' goes in brackets: --set [lr=0.001].lr=0.002."
            | Set_All _ -> "run/check/describe/resume: as --set, and also when the key names several fits of one case that now differ (a sweep made one value)."
            | Only_Case _ -> "run/check/describe: only the case with this label (repeatable); sample: the case to draw from (default: the first)."
            | Threads _ -> "run/resume: libtorch intra-op threads (default: the machine's cores, or GENDSL_THREADS)."
            | Device _ -> "run/resume: cpu (default) or cuda[:n]."
            | Run _ -> "run an experiment: writes runs/<experiment>/<timestamp>/ with config, metrics, checkpoints, plots, report.html."
            | Check _ -> "check an experiment without training: every error, or the plan."
            | Describe _ -> "print the resolved config as JSON, every default explicit (and the --set keys)."
            | Resume _ -> "continue an interrupted run in its folder: gradient fits from their last checkpoint, the rest from the start."
            | Sample _ -> "draw from a trained model of a run: text from a prompt (language models) or an image grid (VAE, NICE)."
            | List _ -> "list the experiment scripts and their past runs."
            | Export _ -> "write docs/results.md and the figures (PNG and SVG) from finished run folders: a section per seed problem."
            | Compare _ -> "one offline page comparing runs: curves overlaid per metric, final metrics, configuration differences, samples."
            | Watch _ -> "follow a run in the terminal: its latest step, metrics and ETA, until it ends (Ctrl-C stops watching, not the run)."

let exitCodesText =
    String.Join("\n",
        [ "EXIT CODES:"
          "    0    ok"
          "    1    script, check or usage error (nothing run, no run folder)"
          "    2    the run failed (its folder holds FAILED)"
          "    3    the run finished but an expectation did not hold"
          "    130  interrupted by SIGINT (Ctrl-C): the folder holds INTERRUPTED, `gendsl resume <folder>` continues it"
          "    143  stopped by SIGTERM: likewise" ])
