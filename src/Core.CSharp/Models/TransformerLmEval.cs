// TransformerLmEval.cs: what a trained TransformerLm is used for — the log-likelihood of a long token stream (perplexity) and sampling text.
using GenDsl.Torch;

namespace GenDsl.Models;

/// <summary>
/// The log-likelihood of a stream: TotalNats = -sum_t log p(x_t | context), over Tokens predictions. NatsPerToken is the
/// cross-entropy, Perplexity = exp(NatsPerToken) (CSE 599i HW1 P8 reports the test log-likelihood and perplexity).
/// </summary>
public sealed record LmEvaluation(double TotalNats, long Tokens)
{
    public double NatsPerToken => TotalNats / Tokens;
    public double BitsPerToken => NatsPerToken / Math.Log(2);
    public double Perplexity => Math.Exp(NatsPerToken);
    /// <summary>The log-likelihood, -TotalNats.</summary>
    public double LogLikelihood => -TotalNats;
}

public sealed partial class TransformerLm
{
    /// <summary>
    /// Scores every token of <paramref name="tokens"/> after the first, in order, as gm-hw1's evaluation does: the stream is
    /// cut into the same non-overlapping windows of Context inputs as training (<see cref="GenDsl.Data.WikiTextWindows"/>),
    /// so the first prediction of each window sees no earlier context, run <paramref name="batchSize"/> windows at a time;
    /// the &lt; Context predictions left at the end form one shorter window (they are not in the training windows; they
    /// are scored here so that Tokens = N - 1, e.g. 217,645 for WikiText-2 valid, of which 145 in the tail). In eval mode (no dropout) and without autograd; the model's mode is restored afterwards.
    /// Returns the total, not gm-hw1's mean of per-batch means (which weights a short last batch like a full one).
    /// </summary>
    public LmEvaluation Evaluate(int[] tokens, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Length < 2) throw new ArgumentException($"TransformerLm.Evaluate: a stream needs at least 2 tokens to score one, got {tokens.Length}", nameof(tokens));
        if (batchSize < 1) throw new ArgumentException($"TransformerLm.Evaluate: batchSize must be at least 1, got {batchSize}", nameof(batchSize));
        var c = (int)Options.Context;
        var full = (tokens.Length - 1) / c;
        var wasTraining = Training;
        Eval();
        try
        {
            using var noGrad = Autograd.NoGrad();
            var total = 0.0;
            for (var first = 0; first < full; first += batchSize)
            {
                var count = Math.Min(batchSize, full - first);
                total += SumNats(tokens, first * c, count, c);
            }
            var rest = tokens.Length - 1 - full * c;
            if (rest > 0) total += SumNats(tokens, full * c, 1, rest);
            return new LmEvaluation(total, tokens.Length - 1);
        }
        finally { Train(wasTraining); }
    }

    /// <summary>Total nats of <paramref name="count"/> consecutive windows of <paramref name="len"/> inputs starting at <paramref name="start"/>.</summary>
    private double SumNats(int[] tokens, int start, int count, int len)
    {
        using var scope = Scope.Begin();
        var flat = new long[count * (len + 1)];
        for (var w = 0; w < count; w++)
            for (var j = 0; j <= len; j++)
                flat[w * (len + 1) + j] = tokens[start + w * len + j];
        var x = Torch.Torch.Tensor<long>(flat, count, len + 1);                               // (W, len + 1)
        return Loss(x, null, Reduction.Sum).ToDouble();
    }

    /// <summary>
    /// Draws <paramref name="count"/> tokens after <paramref name="prompt"/> (ids, at least one) and returns them (not the prompt).
    /// Each step runs the model on the last min(length, Context) ids in eval mode and draws the next id from
    /// softmax(logits / temperature) restricted to the <paramref name="topK"/> most likely ids (0: the whole vocabulary);
    /// temperature 0 takes the most likely id. The draw is made on the CPU from <paramref name="generator"/> (null: the
    /// default generator), so the same seed gives the same text on any device.
    /// </summary>
    public long[] Generate(long[] prompt, int count, double temperature = 1.0, int topK = 0, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.Length == 0) throw new ArgumentException("TransformerLm.Generate: give at least one prompt id (gm-hw1 starts from one random token)", nameof(prompt));
        if (count < 0) throw new ArgumentException($"TransformerLm.Generate: count must be >= 0, got {count}", nameof(count));
        if (!(temperature >= 0 && double.IsFinite(temperature))) throw new ArgumentException($"TransformerLm.Generate: temperature must be finite and >= 0 (0 = most likely id), got {temperature}", nameof(temperature));
        if (topK < 0) throw new ArgumentException($"TransformerLm.Generate: topK must be >= 0 (0 = no limit), got {topK}", nameof(topK));
        foreach (var id in prompt)
            if (id < 0 || id >= Options.Vocab) throw new ArgumentException($"TransformerLm.Generate: prompt id {id} is outside the vocabulary [0, {Options.Vocab})", nameof(prompt));
        var seq = new List<long>(prompt);
        var wasTraining = Training;
        Eval();
        try
        {
            using var noGrad = Autograd.NoGrad();
            for (var i = 0; i < count; i++)
            {
                using var scope = Scope.Begin();
                var t = (int)Math.Min(seq.Count, Options.Context);
                var window = seq.GetRange(seq.Count - t, t).ToArray();
                var z = Hidden(Torch.Torch.Tensor<long>(window, 1, t));                         // (1, T, d)
                var logits = Functional.Linear(z.Select(1, t - 1), OutputWeight, OutputBias);   // (1, V)
                seq.Add(Pick(logits.Squeeze(0).Cpu(), temperature, topK, generator));
            }
        }
        finally { Train(wasTraining); }
        return seq.GetRange(prompt.Length, count).ToArray();
    }

    /// <summary>One id from logits (V) on the CPU: argmax at temperature 0, else a draw from the tempered, top-k-truncated softmax.</summary>
    private static long Pick(Tensor logits, double temperature, int topK, Generator? generator)
    {
        if (temperature == 0) return logits.ArgMax().Item<long>();
        var scaled = logits / temperature;                                                    // (V)
        if (topK > 0 && topK < scaled.Size(0))
        {
            var (values, indices) = scaled.TopK(topK);                                         // (k), (k)
            var j = Torch.Torch.Multinomial(values.Softmax(-1), 1, generator: generator);      // (1)
            return indices.Gather(0, j).Item<long>();
        }
        return Torch.Torch.Multinomial(scaled.Softmax(-1), 1, generator: generator).Item<long>();
    }
}
