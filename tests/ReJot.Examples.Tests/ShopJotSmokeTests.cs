using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ReJot.Examples.Tests;

/// <summary>
/// Runs the ShopJot example as a user does (<c>dotnet ShopJot.dll --once</c>, no configuration: throwaway
/// clusters) and checks that the scenario's final state arrived on the consuming sides.
/// </summary>
public sealed partial class ShopJotSmokeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ShopJot_once_moves_the_scenario_through_both_services_and_exits_0()
    {
        var (exitCode, output) = await RunAsync(TimeSpan.FromMinutes(5), "--once", "--timeout", "180");
        TestContext.Current.TestOutputHelper?.WriteLine(output);

        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{output}");
        Assert.Contains("ShopJot: final state arrived", output, StringComparison.Ordinal);
        // Every scripted change arrived on the other side: three new accounts, a rename, a delete, three orders.
        Assert.Equal(3, Arrivals(output, @"orders received account #\d+ '[^']+' \(new\)").Count);
        Assert.Single(Arrivals(output, @"orders received account #\d+ 'Grace Brewster Hopper' \(changed\)"));
        Assert.Single(Arrivals(output, @"orders received account #\d+ 'Alan Turing' \(deleted\)"));
        Assert.Equal(3, Arrivals(output, @"accounts received order #\d+ of account #\d+, [\d.]+ \(new\)").Count);
        // The final state as the services report it on GET /received.
        Assert.Matches(@"orders knows: #\d+ Ada Lovelace, #\d+ Grace Brewster Hopper\r?\n", output);
        Assert.Matches(@"accounts knows: order #\d+ of #\d+ \(42\.00\), order #\d+ of #\d+ \(17\.50\), order #\d+ of #\d+ \(99\.90\)", output);
        Assert.Contains("-> 409", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShopJot_with_an_unknown_argument_prints_the_usage_and_exits_2()
    {
        var (exitCode, output) = await RunAsync(TimeSpan.FromMinutes(2), "--bogus");

        Assert.Equal(2, exitCode);
        Assert.Contains("Unknown argument '--bogus'", output, StringComparison.Ordinal);
        Assert.Contains("--once", output, StringComparison.Ordinal);
    }

    private static List<string> Arrivals(string output, string pattern)
        => Regex.Matches(output, pattern + @"\s+after\s+\d+ ms").Select(m => m.Value).ToList();

    private static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ShopJot.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // No configuration: the zero-configuration run. (A connection string in the environment would be used.)
        info.Environment.Remove("ConnectionStrings__accounts");
        info.Environment.Remove("ConnectionStrings__orders");

        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(Ct).WaitAsync(timeout, Ct);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"ShopJot did not exit within {timeout.TotalMinutes} minutes:\n{Snapshot()}");
        }

        // WaitForExitAsync returns after the output streams closed: the output is complete.
        return (process.ExitCode, Snapshot());

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        string Snapshot()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }
}
