/// Bridge.fs: the Expecto tests of this assembly seen by `dotnet test` (VSTest, and so Stryker.NET) — one xunit test case per
/// Expecto test, with the Expecto test's name as its display name. Expecto's own runner (Main.fs) sees the same tests.
module GenDsl.Tests.Bridge

#nowarn "44" // xunit's deserialization constructor is marked obsolete for everyone but deriving classes, as this one is

open System
open System.Collections.Generic
open System.Threading
open Expecto
open Xunit
open Xunit.Abstractions
open Xunit.Sdk

/// Every Expecto test of this assembly, flattened, by its name: the [<Tests>] lists' labels and the test's own name, joined
/// by '.' — the module's full name, then the test's: the names the xunit tests had.
let private all =
    lazy
        (let root =
            match Impl.testFromAssembly (Reflection.Assembly.GetExecutingAssembly()) with
            | Some t -> t
            | None -> failwith "no Expecto tests found in GenDsl.Tests"
         let d = Dictionary<string, FlatTest>()
         for t in Test.toTestCodeList root do
             let name = t.fullName "."
             if d.ContainsKey name then failwithf "two Expecto tests are named '%s': rename one" name
             d.[name] <- t
         d)

/// The names, in the order the modules list them.
let names () = all.Force().Keys |> Seq.toArray

/// Why a test is skipped (a ptestCase, or a pending list above it), else null.
let skipReason (name: string) =
    match all.Force().TryGetValue name with
    | true, t when t.state = Pending -> "pending (ptestCase): " + name
    | _ -> null

/// Runs one Expecto test to its end; an assertion or error propagates as the exception it raised.
let run (name: string) =
    let t =
        match all.Force().TryGetValue name with
        | true, t -> t
        | _ -> failwithf "no Expecto test named '%s'" name
    match t.test with
    | Sync f -> f ()
    | SyncWithCancel f -> f CancellationToken.None
    | Async a -> Async.RunSynchronously a
    | AsyncFsCheck (config, _, f) -> f (defaultArg config FsCheckConfig.defaultConfig) |> Async.RunSynchronously

/// An xunit test case that stands for one Expecto test: its display name is the Expecto test's name.
type ExpectoTestCase =
    inherit XunitTestCase
    [<Obsolete("for deserialization only")>]
    new() = { inherit XunitTestCase() }
    new(sink: IMessageSink, display: TestMethodDisplay, options: TestMethodDisplayOptions, testMethod: ITestMethod, name: string) =
        { inherit XunitTestCase(sink, display, options, testMethod, [| box name |]) }
    member private x.ExpectoName = x.TestMethodArguments.[0] :?> string
    override x.GetDisplayName(_factAttribute: IAttributeInfo, _displayName: string) = x.ExpectoName
    override x.GetSkipReason(_factAttribute: IAttributeInfo) = skipReason x.ExpectoName

/// Turns the one [<ExpectoTests>] method into one test case per Expecto test.
type ExpectoDiscoverer(sink: IMessageSink) =
    interface IXunitTestCaseDiscoverer with
        member _.Discover(options, testMethod, _factAttribute) =
            let display = options.MethodDisplayOrDefault()
            let displayOptions = options.MethodDisplayOptionsOrDefault()
            [ for name in names () -> new ExpectoTestCase(sink, display, displayOptions, testMethod, name) :> IXunitTestCase ]

[<XunitTestCaseDiscoverer("GenDsl.Tests.Bridge+ExpectoDiscoverer", "GenDsl.Tests")>]
type ExpectoTestsAttribute() =
    inherit FactAttribute()

/// The Expecto tests, one xunit test case each (see ExpectoDiscoverer).
type ExpectoBridge() =
    [<ExpectoTests>]
    member _.Run(name: string) = run name
