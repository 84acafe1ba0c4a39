// VaeNetworks.cs: pytorch-generative's convolutional VAE encoder/decoder (strided convs, residual stacks) as Sequentials.
using GenDsl.Torch;
using GenDsl.Torch.NN;

namespace GenDsl.Models;

/// <summary>
/// The convolutional networks of pytorch-generative's VAE (its defaults: strides [2, 2, 2, 2], hidden 64,
/// residual 32, two residual blocks per stack, 16 latent channels). Facts learned from its vae.py/vaes.py:
/// <list type="bullet">
/// <item>residual block: x + Conv1x1(R -> C)(ReLU(Conv3x3(C -> R, padding 1)(ReLU(x))));
///       a residual stack is n blocks then a ReLU;</item>
/// <item>an encoder stage of (even) stride s: s/2 convolutions Conv(k 4, stride 2, padding 1), each followed by ReLU
///       (channels in -> H/2 -> ... -> H), a residual stack, then Conv3x3(H -> out, padding 1): it halves the
///       side s/2 times;</item>
/// <item>a decoder stage: Conv3x3(in -> H, padding 1), a residual stack, then s/2 ConvTranspose(k 4, stride 2, padding 1)
///       with ReLU between them (H -> H/2 -> ... -> out): it doubles the side s/2 times;</item>
/// <item>stages chain: the encoder's last stage outputs 2 x latent channels, the decoder's first takes the latent
///       channels and its last outputs the data channels (logits).</item>
/// </list>
/// At the defaults a (B, 1, 32, 32) input becomes (B, 64, 16, 16), (B, 64, 8, 8), (B, 64, 4, 4) and (B, 32, 2, 2).
/// </summary>
public static class VaeNetworks
{
    /// <summary>The factor by which the encoder shrinks each side: 2^(sum_i s_i / 2).</summary>
    public static long Downsampling(int[] strides)
    {
        ArgumentNullException.ThrowIfNull(strides);
        if (strides.Length == 0) throw new ArgumentException("VaeNetworks: give at least one stride, e.g. [2, 2, 2, 2]");
        foreach (var s in strides)
            if (s <= 0 || s % 2 != 0) throw new ArgumentException($"VaeNetworks: every stride must be a positive even number (each 2 is one stride-2 conv), got {s}");
        return 1L << strides.Sum(s => s / 2);
    }

    /// <summary>n residual blocks x + Conv1x1(ReLU(Conv3x3(ReLU(x)))) on C channels with R hidden, then a ReLU.</summary>
    public static Sequential ResidualStack(long channels, long residualChannels, int blocks, Generator? generator = null)
    {
        var seq = new Sequential();
        for (var i = 0; i < blocks; i++)
            seq.Append(new Residual(new Sequential(
                new ReLU(),
                new Conv2d(channels, residualChannels, 3, padding: 1, generator: generator),
                new ReLU(),
                new Conv2d(residualChannels, channels, 1, generator: generator))));
        return seq.Append(new ReLU());
    }

    /// <summary>One encoder stage: (B, in, S, S) -> (B, out, S / 2^(s/2), S / 2^(s/2)).</summary>
    public static Sequential EncoderStage(long inChannels, long outChannels, long hidden, long residual, int blocks, int stride, Generator? generator = null)
    {
        Downsampling(new[] { stride });
        var seq = new Sequential();
        var convs = stride / 2;
        for (var i = 0; i < convs; i++)
        {
            var cin = i == 0 ? inChannels : hidden / 2;
            var cout = i < convs - 1 ? hidden / 2 : hidden;
            seq.Append(new Conv2d(cin, cout, 4, stride: 2, padding: 1, generator: generator)).Append(new ReLU());
        }
        seq.Append(ResidualStack(hidden, residual, blocks, generator));
        return seq.Append(new Conv2d(hidden, outChannels, 3, padding: 1, generator: generator));
    }

    /// <summary>One decoder stage: (B, in, S, S) -> (B, out, S 2^(s/2), S 2^(s/2)).</summary>
    public static Sequential DecoderStage(long inChannels, long outChannels, long hidden, long residual, int blocks, int stride, Generator? generator = null)
    {
        Downsampling(new[] { stride });
        var seq = new Sequential(new Conv2d(inChannels, hidden, 3, padding: 1, generator: generator), ResidualStack(hidden, residual, blocks, generator));
        var convs = stride / 2;
        for (var i = 0; i < convs; i++)
        {
            var cin = i == 0 ? hidden : hidden / 2;
            var cout = i < convs - 1 ? hidden / 2 : outChannels;
            seq.Append(new ConvTranspose2d(cin, cout, 4, stride: 2, padding: 1, generator: generator));
            if (i < convs - 1) seq.Append(new ReLU());
        }
        return seq;
    }

    /// <summary>The encoder: one stage per stride, the last giving 2 x latentChannels (mean and log-variance).</summary>
    public static Sequential ConvEncoder(long inChannels, long latentChannels, int[] strides, long hidden = 64, long residual = 32, int blocks = 2,
        Generator? generator = null)
    {
        Downsampling(strides);
        var seq = new Sequential();
        for (var i = 0; i < strides.Length; i++)
            seq.Append(EncoderStage(i == 0 ? inChannels : hidden, i < strides.Length - 1 ? hidden : 2 * latentChannels,
                hidden, residual, blocks, strides[i], generator));
        return seq;
    }

    /// <summary>The decoder: one stage per stride in reverse order, the last giving the data channels (logits).</summary>
    public static Sequential ConvDecoder(long latentChannels, long outChannels, int[] strides, long hidden = 64, long residual = 32, int blocks = 2,
        Generator? generator = null)
    {
        Downsampling(strides);
        var seq = new Sequential();
        var rev = strides.Reverse().ToArray();
        for (var i = 0; i < rev.Length; i++)
            seq.Append(DecoderStage(i == 0 ? latentChannels : hidden, i < rev.Length - 1 ? hidden : outChannels,
                hidden, residual, blocks, rev[i], generator));
        return seq;
    }
}
