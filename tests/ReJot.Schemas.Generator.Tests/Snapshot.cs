using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace ReJot.Schemas.Generator.Tests;

/// <summary>
/// Golden files in the Verify layout: <c>Snapshots/{Class}.{Test}#{hint}.verified.cs</c>. A mismatch writes a
/// <c>.received.cs</c> beside it and fails; <c>REJOT_ACCEPT_SNAPSHOTS=1</c> rewrites the golden files instead.
/// Version numbers are scrubbed so a version bump does not touch them.
/// </summary>
internal static partial class Snapshot
{
    private static bool Accept => Environment.GetEnvironmentVariable("REJOT_ACCEPT_SNAPSHOTS") == "1";

    public static void Verify(GeneratorDriverRunResult result, [CallerMemberName] string test = "", [CallerFilePath] string callerFile = "")
        => Verify(result.Results.SelectMany(r => r.GeneratedSources).Select(s => (s.HintName, s.SourceText.ToString())), test, callerFile);

    /// <summary>Compares named texts (hint names ending in .cs) with their golden files.</summary>
    public static void Verify(IEnumerable<(string HintName, string Text)> sources, [CallerMemberName] string test = "", [CallerFilePath] string callerFile = "")
    {
        var className = Path.GetFileNameWithoutExtension(callerFile);
        var directory = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        Directory.CreateDirectory(directory);
        var prefix = className + "." + test + "#";
        var expectedFiles = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<string>();
        foreach (var source in sources.OrderBy(s => s.HintName, StringComparer.Ordinal))
        {
            var name = prefix + Path.GetFileNameWithoutExtension(source.HintName) + ".verified.cs";
            expectedFiles.Add(name);
            var path = Path.Combine(directory, name);
            var actual = Scrub(source.Text);
            var received = Path.ChangeExtension(path, null).Replace(".verified", ".received") + ".cs";
            if (Accept)
            {
                File.WriteAllText(path, actual);
                File.Delete(received);
                continue;
            }

            if (!File.Exists(path) || File.ReadAllText(path).ReplaceLineEndings("\n") != actual)
            {
                File.WriteAllText(received, actual);
                failures.Add(name + (File.Exists(path) ? " differs" : " is missing") + " (see " + Path.GetFileName(received) + "; REJOT_ACCEPT_SNAPSHOTS=1 accepts)");
            }
            else
            {
                File.Delete(received);
            }
        }

        foreach (var stale in Directory.GetFiles(directory, prefix + "*.verified.cs").Select(Path.GetFileName))
        {
            if (!expectedFiles.Contains(stale!))
            {
                if (Accept)
                {
                    File.Delete(Path.Combine(directory, stale!));
                }
                else
                {
                    failures.Add(stale + " was not generated");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string Scrub(string text) => VersionPattern().Replace(text.ReplaceLineEndings("\n"), "\"ReJot.Schemas.Generator\", \"{version}\"");

    [GeneratedRegex("\"ReJot\\.Schemas\\.Generator\", \"[0-9.]+\"")]
    private static partial Regex VersionPattern();
}
