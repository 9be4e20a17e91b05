using System.Globalization;

namespace ReJot.Reliability.Tests.Harness;

/// <summary>
/// Run settings from the environment. <c>REJOT_RELIABILITY_SEED</c> replays a run (the seed is printed by every
/// test); <c>REJOT_SOAK_SECONDS</c> turns the quick CI variant into a soak that injects faults for that long.
/// </summary>
internal static class ReliabilitySettings
{
    public const string SeedVariable = "REJOT_RELIABILITY_SEED";
    public const string SoakVariable = "REJOT_SOAK_SECONDS";

    /// <summary>The seed to use: the environment's, else a fresh one.</summary>
    public static int Seed()
        => int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : Random.Shared.Next(1, int.MaxValue);

    /// <summary>The soak duration, or null for the quick variant.</summary>
    public static TimeSpan? SoakDuration
        => int.TryParse(Environment.GetEnvironmentVariable(SoakVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : null;

    /// <summary>How a fault loop decides to stop: after <paramref name="quickIterations"/>, or when the soak time is up.</summary>
    public static Func<int, bool> KeepGoing(int quickIterations)
    {
        if (SoakDuration is { } soak)
        {
            var end = DateTime.UtcNow + soak;
            return _ => DateTime.UtcNow < end;
        }

        return i => i < quickIterations;
    }
}
