namespace CrmPlatform.Bench.Shared;

public static class Stats
{
    /// <summary>The nearest-rank percentile (0–100) of <paramref name="values"/>, as every table in docs/benchmarks.md gives it.</summary>
    public static double Percentile(double[] values, double percentile)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
