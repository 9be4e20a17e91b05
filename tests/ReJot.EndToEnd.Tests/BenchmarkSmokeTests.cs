using System.Diagnostics;
using System.Text.Json;

namespace ReJot.EndToEnd.Tests;

/// <summary>
/// The benchmark's quick variant, as a smoke test (issue 7): every scenario runs on its own throwaway clusters and
/// verifies its sink against the source. No timing is asserted: figures on a shared CI machine mean nothing.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_quick_benchmark_runs_every_scenario_and_every_sink_matches_its_source()
    {
        var directory = Directory.CreateTempSubdirectory("rejot-bench-smoke-");
        try
        {
            var output = Path.Combine(directory.FullName, "quick.json");
            var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                WorkingDirectory = directory.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ReJot.Benchmarks.dll"), "--quick", "--out", output })
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync(Ct);
            var stderr = process.StandardError.ReadToEndAsync(Ct);
            try
            {
                await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(10), Ct);
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var text = await stdout + await stderr;
            Assert.True(process.ExitCode == 0, $"the quick benchmark exited with {process.ExitCode}:\n{text}");

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output, Ct));
            Assert.Equal("quick", json.RootElement.GetProperty("run").GetString());
            var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
            var scenarios = results.Select(r => r.GetProperty("Scenario").GetString()!).ToList();
            foreach (var expected in new[] { "bulk", "backlog", "latency p99", "big txn", "big txn peak memory", "cross-service p50", "backfill" })
            {
                Assert.Contains(expected, scenarios);
            }

            Assert.All(results, r => Assert.True(r.GetProperty("Verified").GetBoolean(), $"{r.GetProperty("Scenario").GetString()} not verified:\n{text}"));
            foreach (var compared in results.Where(r => r.GetProperty("Scenario").GetString() is "bulk" or "backlog" or "big txn"))
            {
                // Both systems measured, with a positive rate, and ReJot's CPU accounted for.
                Assert.True(compared.GetProperty("ReJot").GetDouble() > 0);
                Assert.True(compared.GetProperty("Native").GetDouble() > 0);
                Assert.True(compared.GetProperty("ReJotMeasurement").GetProperty("Extra").GetProperty("cpuEngine").GetDouble() > 0);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
