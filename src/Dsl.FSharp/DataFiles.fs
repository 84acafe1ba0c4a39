/// DataFiles.fs: a user's data files (Data.npy, Data.csv) read into N rows of D numbers, validated (dtype, ragged rows,
/// truncation, NaN), cached per file, and cut into Train/Valid/Test and a random subset with the seed.
module GenDsl.Dsl.DataFiles

open System
open System.Globalization
open System.IO
open System.Text
open System.Text.RegularExpressions

/// A file's numbers: Rows x Dim values, row-major, already divided by the spec's Scale.
type Loaded = { Rows: int; Dim: int; Values: float[] }

// ---- .npy (NumPy's format 1.0-3.0: magic, header length, a Python dict literal, then the raw array) ----

let private npyDtypes = dict [ "<f4", 4; "<f8", 8; "|u1", 1; "<u1", 1; "<i8", 8 ]

let private readNpy (path: string) : Result<float[] * int * int, string> =
    let bytes = File.ReadAllBytes path
    let magic = [| 0x93uy; byte 'N'; byte 'U'; byte 'M'; byte 'P'; byte 'Y' |]
    if bytes.Length < 10 || bytes.[0..5] <> magic then Error "not an .npy file (it does not start with \\x93NUMPY): save it with numpy.save"
    else
        let major = int bytes.[6]
        let headerLen, start =
            if major = 1 then int (BitConverter.ToUInt16(bytes, 8)), 10
            elif bytes.Length >= 12 then int (BitConverter.ToUInt32(bytes, 8)), 12
            else -1, 0
        if headerLen < 0 || start + headerLen > bytes.Length then Error "the .npy header is truncated"
        else
            let header = Encoding.Latin1.GetString(bytes, start, headerLen)
            let descr = Regex.Match(header, @"'descr'\s*:\s*'([^']*)'")
            let fortran = Regex.Match(header, @"'fortran_order'\s*:\s*(True|False)")
            let shape = Regex.Match(header, @"'shape'\s*:\s*\(([^)]*)\)")
            if not descr.Success || not shape.Success then Error(sprintf "cannot read the .npy header %s" (header.Trim()))
            elif not (npyDtypes.ContainsKey descr.Groups.[1].Value) then
                Error(sprintf "its dtype is '%s'; GenDsl reads float32 ('<f4'), float64 ('<f8'), uint8 ('|u1') and int64 ('<i8'): convert it with x.astype(numpy.float32)" descr.Groups.[1].Value)
            elif fortran.Success && fortran.Groups.[1].Value = "True" then Error "it is stored in Fortran order: save numpy.ascontiguousarray(x)"
            else
                let dims = shape.Groups.[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries ||| StringSplitOptions.TrimEntries) |> Array.map int64
                if dims.Length = 0 then Error "it holds a scalar (shape ()): save an array of shape (N, D)"
                else
                    let n = dims.[0]
                    let d = if dims.Length = 1 then 1L else Array.fold (*) 1L dims.[1..]
                    let size = npyDtypes.[descr.Groups.[1].Value]
                    let want = n * d * int64 size
                    let have = int64 bytes.Length - int64 (start + headerLen)
                    if have < want then Error(sprintf "it is truncated: shape (%s) needs %d bytes of data, the file holds %d" (String.Join(", ", dims)) want have)
                    elif n * d > int64 Int32.MaxValue then Error "it has more than 2^31 numbers"
                    else
                        let o = start + headerLen
                        let count = int (n * d)
                        let values =
                            match descr.Groups.[1].Value with
                            | "<f4" -> Array.init count (fun i -> float (BitConverter.ToSingle(bytes, o + 4 * i)))
                            | "<f8" -> Array.init count (fun i -> BitConverter.ToDouble(bytes, o + 8 * i))
                            | "<i8" -> Array.init count (fun i -> float (BitConverter.ToInt64(bytes, o + 8 * i)))
                            | _ -> Array.init count (fun i -> float bytes.[o + i])
                        Ok(values, int n, int d)

// ---- CSV (CsvHelper's parser: quoting, line endings; numbers read with the invariant culture) ----

let private readCsv (path: string) (header: bool) : Result<float[] * int * int, string> =
    let config = CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture, HasHeaderRecord = header)
    use reader = new StreamReader(path)
    use parser = new CsvHelper.CsvParser(reader, config)
    let values = ResizeArray<float>()
    let mutable dim = -1
    let mutable rows = 0
    let mutable error = None
    let mutable first = true
    while error.IsNone && parser.Read() do
        let record = parser.Record
        if first && header then first <- false
        else
            first <- false
            let line = parser.Row
            if dim < 0 then dim <- record.Length
            if record.Length <> dim then
                error <- Some(sprintf "row %d (line %d) has %d values, the first row has %d: every row needs the same number of columns" (rows + 1) line record.Length dim)
            else
                for j in 0 .. record.Length - 1 do
                    if error.IsNone then
                        match Double.TryParse(record.[j].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture) with
                        | true, x -> values.Add x
                        | _ ->
                            let hint = if rows = 0 && not header then " (if the first row names the columns, add Data.header)" else ""
                            error <- Some(sprintf "row %d (line %d), column %d: '%s' is not a number%s" (rows + 1) line (j + 1) record.[j] hint)
                rows <- rows + 1
    match error with
    | Some e -> Error e
    | None when rows = 0 -> Error "it holds no rows of numbers"
    | None -> Ok(values.ToArray(), rows, dim)

// ---- loading, cached per file and settings ----

let private cache = Collections.Concurrent.ConcurrentDictionary<string, Result<Loaded, string>>()

/// The file's rows, or one sentence naming the file and what is wrong with it (and how to fix it).
let load (f: FileSpec) : Result<Loaded, string> =
    let full = Path.GetFullPath f.Path
    if not (File.Exists full) then Error(sprintf "data file '%s' does not exist (relative paths are from the directory gendsl runs in)" f.Path)
    else
        let key = sprintf "%s|%d|%A|%b|%g" full (File.GetLastWriteTimeUtc(full).Ticks) f.Format f.Header f.Scale
        cache.GetOrAdd(key, fun _ ->
            let read = try (match f.Format with Npy -> readNpy full | Csv -> readCsv full f.Header) with ex -> Error ex.Message
            read
            |> Result.bind (fun (v, n, d) ->
                match v |> Array.tryFindIndex (Double.IsFinite >> not) with
                | Some i -> Error(sprintf "row %d, column %d is %g: remove or impute the rows that are not finite numbers" (i / d + 1) (i % d + 1) v.[i])
                | None -> Ok { Rows = n; Dim = d; Values = (if f.Scale = 1.0 then v else v |> Array.map (fun x -> x / f.Scale)) })
            |> Result.mapError (fun why -> sprintf "data file '%s': %s" f.Path why))

/// Row counts of (Train, Valid, Test) for a file of n rows: Test and Valid are round(n * fraction) rows, Train the rest
/// (then at most Subset).
let splitSizes (f: FileSpec) (n: int) =
    let nTest = int (Math.Round(float n * f.TestFraction))
    let nValid = int (Math.Round(float n * f.ValidFraction))
    let nTrain = n - nTest - nValid
    (match f.Subset with Some s -> min s nTrain | None -> nTrain), nValid, nTest

/// A permutation of 0..n-1 from the seed (Fisher-Yates over SplitMix64), the same on every machine.
let permutation (seed: uint64) (n: int) =
    let mutable state = seed
    let next () =
        state <- state + 0x9E3779B97F4A7C15UL
        let mutable z = state
        z <- (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
        z <- (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
        z ^^^ (z >>> 31)
    let p = Array.init n id
    for i in n - 1 .. -1 .. 1 do
        let j = int (next () % uint64 (i + 1))
        let t = p.[i]
        p.[i] <- p.[j]
        p.[j] <- t
    p

/// The row indices of a split: a seeded permutation gives Test its first rows, Valid the next, Train the rest (the
/// subset: its first Subset of them); each split's rows in file order.
let splitRows (seed: uint64) (f: FileSpec) (n: int) (split: Split) : int[] =
    let p = permutation seed n
    let nTrain, nValid, nTest = splitSizes f n
    let rows =
        match split with
        | Test -> p.[0 .. nTest - 1]
        | Valid -> p.[nTest .. nTest + nValid - 1]
        | Train -> p.[nTest + nValid .. nTest + nValid + nTrain - 1]
    Array.sortInPlace rows
    rows

// ---- text corpora ----

let private corpora = Collections.Concurrent.ConcurrentDictionary<string, Result<GenDsl.Data.WikiTextCorpus, string>>()

/// The corpus of a WikiText spec: WikiText-2 in the repository, or a user's three files tokenised the same way (read
/// once per files and their times); an error names a missing file.
let corpus (files: TextFiles option) : Result<GenDsl.Data.WikiTextCorpus, string> =
    match files with
    | None -> Ok(GenDsl.Data.WikiText.Load())
    | Some f ->
        let paths = [ f.Train; f.Valid; f.Test ]
        match paths |> List.tryFind (fun p -> not (File.Exists p)) with
        | Some p -> Error(sprintf "text file '%s' does not exist (relative paths are from the directory gendsl runs in)" p)
        | None ->
            let key = String.Join("|", paths |> List.map (fun p -> sprintf "%s@%d" (Path.GetFullPath p) (File.GetLastWriteTimeUtc(p).Ticks)))
            corpora.GetOrAdd(key, fun _ ->
                try Ok(GenDsl.Data.WikiTextCorpus.FromTexts(File.ReadAllText f.Train, File.ReadAllText f.Valid, File.ReadAllText f.Test))
                with ex -> Error(sprintf "text files %s: %s" (String.Join(", ", paths)) ex.Message))
