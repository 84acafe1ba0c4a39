// Utils.cs: torch.nn.utils — gradient clipping by norm and by value, and parameter counting.
namespace GenDsl.Torch.NN;

public static class Utils
{
    /// <summary>
    /// Scales the gradients in place so that their joint p-norm ||(||g_1||, ..., ||g_n||)||_p is at most
    /// maxNorm (factor maxNorm / (norm + 1e-6) when above); returns the norm before clipping. Parameters
    /// without a gradient are skipped.
    /// </summary>
    public static double ClipGradNorm_(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0)) throw new ArgumentException($"ClipGradNorm_: maxNorm must be non-negative, got {maxNorm}");
        return Functional.ClipGradNorm_(parameters as IReadOnlyList<Tensor> ?? parameters.ToList(), maxNorm, normType);
    }

    /// <summary>Clamps every gradient element into [-clipValue, clipValue], in place.</summary>
    public static void ClipGradValue_(IEnumerable<Tensor> parameters, double clipValue)
    {
        if (!(clipValue >= 0)) throw new ArgumentException($"ClipGradValue_: clipValue must be non-negative, got {clipValue}");
        foreach (var p in parameters)
        {
            using var g = p.Grad;
            g?.Clamp_(-clipValue, clipValue);
        }
    }

    /// <summary>The number of scalar parameters (sum of numel).</summary>
    public static long ParameterCount(Module module) => module.Parameters().Sum(p => p.NumEl);
}
