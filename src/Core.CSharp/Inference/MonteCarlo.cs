// MonteCarlo.cs: Monte Carlo estimates with their standard errors (the tolerance every statistical test derives from).
using GenDsl.Torch;

namespace GenDsl.Inference;

/// <summary>A Monte Carlo estimate and its standard error sd / sqrt(M).</summary>
public readonly record struct Estimate(double Mean, double StdErr, long Samples)
{
    /// <summary>Whether |Mean - truth| &lt;= z * StdErr (z = 4: a false failure with probability about 6e-5 under normality).</summary>
    public bool Covers(double truth, double z = 4) => Math.Abs(Mean - truth) <= z * StdErr;
    public override string ToString() => $"{Mean:G6} ± {StdErr:G3} (M = {Samples})";
}

public static class MonteCarlo
{
    /// <summary>The sample mean of i.i.d. draws f(x_m) (1-d) and its standard error sqrt(var / M), var with Bessel's correction.</summary>
    public static Estimate Mean(Tensor values)
    {
        using var s = Scope.Begin();
        var v = values.Flatten().Double();
        var m = v.NumEl;
        if (m < 2) throw new ArgumentException("MonteCarlo.Mean: need at least 2 draws for a standard error");
        return new Estimate(v.Mean().ToDouble(), Math.Sqrt(v.Var().ToDouble() / m), m);
    }

    /// <summary>
    /// Seed 002 P4B: Var f(x) ≈ (1/M) sum f(x_m)^2 - ((1/M) sum f(x_m))^2 (the plug-in, biased by the factor (M-1)/M).
    /// </summary>
    public static double PlugInVariance(Tensor values)
    {
        using var s = Scope.Begin();
        var v = values.Flatten().Double();
        var m = v.Mean().ToDouble();
        return v.Square().Mean().ToDouble() - m * m;
    }
}
