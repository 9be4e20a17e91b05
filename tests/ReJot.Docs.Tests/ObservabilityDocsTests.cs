using System.Text.RegularExpressions;

namespace ReJot.Docs.Tests;

/// <summary>The documented log event ids and instrument names are the ones the engine has.</summary>
public sealed partial class ObservabilityDocsTests
{
    [GeneratedRegex(@"\[LoggerMessage\((?<id>\d+), LogLevel\.(?<level>\w+),")]
    private static partial Regex LoggerMessage();

    [GeneratedRegex(@"^\| (?<id>\d{4}) \| (?<level>\w+) \|", RegexOptions.Multiline)]
    private static partial Regex LogRow();

    [GeneratedRegex(@"Create(?:Counter<\w+>|ObservableGauge|Histogram<\w+>|UpDownCounter<\w+>)\(""(?<name>rejot\.[a-z_.]+)""")]
    private static partial Regex Instrument();

    private static string Read(string relative) => File.ReadAllText(Path.Combine(Repository.Root, relative));

    [Fact]
    public void The_operations_log_table_lists_exactly_the_engines_event_ids_and_levels()
    {
        var code = LoggerMessage().Matches(Read("src/ReJot.Sync/Hosting/Log.cs")).Select(m => $"{m.Groups["id"].Value} {m.Groups["level"].Value}").Order(StringComparer.Ordinal).ToList();
        var documented = LogRow().Matches(Read("docs/operations.md")).Select(m => $"{m.Groups["id"].Value} {m.Groups["level"].Value}").Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(code);
        Assert.Equal(code, documented);
    }

    [Fact]
    public void Every_metric_is_named_in_the_readme()
    {
        var names = Instrument().Matches(Read("src/ReJot.Sync/Hosting/SyncMetrics.cs")).Select(m => m.Groups["name"].Value).ToList();
        var readme = Read("README.md");

        Assert.True(names.Count >= 8, "instruments found: " + string.Join(", ", names));
        Assert.All(names, name => Assert.Contains($"`{name}`", readme, StringComparison.Ordinal));
    }
}
