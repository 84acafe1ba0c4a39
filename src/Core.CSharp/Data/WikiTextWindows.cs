// WikiTextWindows.cs: a token stream cut into the fixed, non-overlapping windows gm-hw1 trains and evaluates on, as an IDataset of (context + 1) ids.
using GenDsl.Torch;

namespace GenDsl.Data;

/// <summary>
/// A token stream t_0 .. t_{N-1} as W = floor((N - 1) / c) examples of c + 1 ids, example i = t_{ic} .. t_{ic + c}:
/// input = example[:, :-1], target = example[:, 1:], so consecutive windows share one id (the last target of window i
/// is the first input of window i + 1) and every id after t_0 up to t_{Wc} is a target exactly once per epoch.
/// <para>This is CSE 599i HW1 P8's batching (GitHub jthickstun/gm-hw1): its WikiText2 dataset serves <b>contiguous,
/// fixed, non-overlapping windows</b> of context 150 (not random offsets, not per-batch parallel streams as in the
/// PyTorch example's batchify), and its notebook draws them with DataLoader(shuffle=True, batch_size=32) for training
/// and in order (shuffle=False) for validation and test. The notebook's own log confirms the cut: "436 iterations/epoch"
/// = ceil(13,924 / 32) with 13,924 = floor(2,088,627 / 150) windows of train. Use the Trainer with Shuffle = true,
/// BatchSize = 32, DropLast = false to draw the same way. (gm-hw1's dataset.py itself was not readable; the window
/// count and the notebook are the evidence. How it treats the &lt; 150 ids left at the end is not known: here they
/// are left out of the windows, and <see cref="GenDsl.Models.TransformerLm.Evaluate"/> scores them separately.)</para>
/// </summary>
public sealed class WikiTextWindows : IDataset, IDisposable
{
    private readonly Tensor windows;   // (W, c + 1) int64

    /// <summary>Windows of <paramref name="context"/> inputs over <paramref name="tokens"/> (needs at least context + 1 ids).</summary>
    public WikiTextWindows(int[] tokens, int context)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (context < 1) throw new ArgumentException($"WikiTextWindows: context must be at least 1 token, got {context}", nameof(context));
        if (tokens.Length < context + 1)
            throw new ArgumentException($"WikiTextWindows: a window needs context + 1 = {context + 1} ids but the stream has {tokens.Length}; use a shorter context", nameof(tokens));
        Context = context;
        Count = (tokens.Length - 1) / context;
        var flat = new long[Count * (context + 1)];
        for (long i = 0, k = 0; i < Count; i++)
            for (var j = 0; j <= context; j++)
                flat[k++] = tokens[i * context + j];
        windows = Torch.Torch.Tensor<long>(flat, Count, context + 1).DetachFromScope();   // (W, c + 1)
        Tokens = tokens;
    }

    /// <summary>The windows of one WikiText-2 split (<see cref="WikiText.Load"/>; read once per process).</summary>
    public static WikiTextWindows Load(WikiTextSplit split, int context = 150, string? folder = null) =>
        new(WikiText.Load(folder).Tokens(split), context);

    /// <summary>c, the inputs per window (150 in gm-hw1).</summary>
    public int Context { get; }

    /// <summary>The whole stream, in order (what evaluation scores).</summary>
    public int[] Tokens { get; }

    /// <summary>W = floor((N - 1) / c).</summary>
    public long Count { get; }

    /// <summary>[c + 1].</summary>
    public long[] ExampleShape => new long[] { Context + 1 };

    /// <summary>All windows, (W, c + 1) int64; owned by this data set.</summary>
    public Tensor All => windows;

    /// <summary>The windows at <paramref name="indices"/>: (B, c + 1) int64, on the CPU.</summary>
    public Tensor Batch(long[] indices, Generator generator)
    {
        using var idx = Torch.Torch.Tensor<long>(indices, indices.LongLength);
        return windows.IndexSelect(0, idx);
    }

    public void Dispose() => windows.Dispose();
}
