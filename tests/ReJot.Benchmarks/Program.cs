using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReJot.Benchmarks;

// ReJot against native PostgreSQL logical replication, same machine, same run, same data (issue 7), plus the
// cross-service delay over HTTP (issue 5). See README, "Benchmarks".
//   dotnet run -c Release --project tests/ReJot.Benchmarks -- [--quick] [--scenarios bulk,backlog,latency,big,cross,backfill,compile]
//       [--out FILE.json] [--separate-sink] [--native-sync-commit] [--rows N] [--rejot-only]
// --rejot-only skips native replication (no ratios): for profiling ReJot's side quickly.
// --separate-event-store puts ReJot's event store in its own database of the source cluster (default: the source database).
if (EngineProcess.IsChild(args))
{
    return await EngineProcess.RunChildAsync();
}

var quick = args.Contains("--quick");
var sizes = quick ? BenchSizes.Quick : BenchSizes.Full;
if (Value("--rows") is { } rowsOverride)
{
    // Overrides the row count of bulk and big (e.g. for profiling).
    var n = int.Parse(rowsOverride, CultureInfo.InvariantCulture);
    sizes = sizes with { BulkRows = n, BigRows = n };
}

var all = new[] { "bulk", "backlog", "latency", "big", "cross", "backfill", "compile" };
var selected = Value("--scenarios")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
    ?? (quick ? all.Where(s => s != "compile").ToArray() : all);
if (selected.Except(all).ToList() is { Count: > 0 } unknown)
{
    Console.Error.WriteLine($"Unknown scenario(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", all)}.");
    return 2;
}

var separateSink = args.Contains("--separate-sink");
// Native subscriptions default to synchronous_commit=off, which is still crash-safe: the apply worker confirms a
// source position only after its own WAL flush (as ReJot acknowledges only after the event store commit). That is
// the yardstick the targets were set against; --native-sync-commit makes every applied transaction wait for fsync.
var nativeAsyncCommit = !args.Contains("--native-sync-commit");
var rejotOnly = args.Contains("--rejot-only");
var separateEventStore = args.Contains("--separate-event-store");
var outPath = Value("--out") ?? $"rejot-benchmark-{(quick ? "quick" : "full")}.json";
var wall = Stopwatch.StartNew();
var rows = new List<Row>();

await using (var harness = await Harness.StartAsync())
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"ReJot vs native logical replication ({(quick ? "quick" : "full")} run), {Environment.ProcessorCount} cores, clusters started in {harness.A.StartupTime.TotalSeconds:F1}+{harness.B.StartupTime.TotalSeconds:F1} s (durable: fsync, full_page_writes, synchronous_commit on; native subscription synchronous_commit={(nativeAsyncCommit ? "off" : "on")}; ReJot sink in cluster {(separateSink ? "B" : "A")}; event store in {(separateEventStore ? "its own database" : "the source database")})"));
    Console.WriteLine("Shared machine: absolute figures are noisy, only the ratios measured in this same run count.");
    Measurement? nativeLatency = null;
    foreach (var scenario in selected)
    {
        Console.WriteLine($"-- {scenario}");
        switch (scenario)
        {
            case "bulk":
                rows.Add(await CompareAsync(harness, "bulk", "rows/s", higherIsBetter: true, "≥ 0.6×", (rj, nat) => rj / nat >= 0.6, Scenarios.BulkAsync));
                break;
            case "backlog":
                rows.Add(await CompareAsync(harness, "backlog", "rows/s", higherIsBetter: true, "≥ 1.5×", (rj, nat) => rj / nat >= 1.5, Scenarios.BacklogAsync));
                break;
            case "latency":
                var latency = await CompareAsync(harness, "latency p99", "ms", higherIsBetter: false, "p99 ≤ 50 ms", (rj, _) => rj <= 50, Scenarios.LatencyAsync);
                nativeLatency = latency.NativeMeasurement;
                rows.Add(latency);
                var p50 = (ReJot: latency.ReJotMeasurement?.Extra?["p50"], Native: latency.NativeMeasurement?.Extra?["p50"]);
                rows.Add(latency with { Scenario = "latency p50", ReJot = p50.ReJot, Native = p50.Native, Ratio = Ratio(p50.ReJot, p50.Native), Target = "", TargetMet = null });
                break;
            case "big":
                var big = await CompareAsync(harness, "big txn", "rows/s", higherIsBetter: true, "", null, Scenarios.BigAsync);
                rows.Add(big);
                var peak = big.ReJotMeasurement?.PeakMemoryMiB;
                rows.Add(new Row("big txn peak memory", "MiB", peak, null, null, "< 300 MB", peak < 300_000_000 / 1048576.0, big.Verified,
                    "peak RSS (VmHWM) of the engine child process", null, null));
                break;
            case "cross":
                var cross = await CrossService.RunAsync(harness, sizes);
                Console.WriteLine("  ReJot:  " + cross.Details);
                var nativeP50 = nativeLatency?.Extra?["p50"];
                rows.Add(new Row("cross-service p50", "ms", cross.Extra!["p50"], nativeP50, Ratio(cross.Extra["p50"], nativeP50), "", null, cross.Verified,
                    "two engines, HTTP /read long-poll; native = latency scenario's native p50", cross, null));
                rows.Add(new Row("cross-service p95", "ms", cross.Extra["p95"], nativeLatency?.Extra?["p95"], Ratio(cross.Extra["p95"], nativeLatency?.Extra?["p95"]), "", null, cross.Verified, "", null, null));
                break;
            case "backfill":
                Measurement backfill;
                await using (var r = await ReJotReplicator.CreateAsync(harness, "backfill", separateSink, separateEventStore))
                {
                    backfill = await Scenarios.BackfillAsync(r, sizes);
                }

                Console.WriteLine("  ReJot:  " + backfill.Details);
                rows.Add(new Row("backfill", "rows/s", backfill.Value, null, null, "", null, backfill.Verified,
                    "existing rows published by a backfill while the engine runs (ReJot only; chunks of 1,000)", backfill, null));
                break;
            case "compile":
                rows.AddRange(await CompileAsync());
                break;
        }
    }
}

Console.WriteLine();
Console.WriteLine($"{"scenario",-22} {"unit",-7} {"ReJot",12} {"native",12} {"ratio",8}  {"target",-12} {"met",-4} verified");
foreach (var row in rows)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{row.Scenario,-22} {row.Unit,-7} {Num(row.ReJot),12} {Num(row.Native),12} {(row.Ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) + "×" : "-"),8}  {row.Target,-12} {(row.TargetMet is { } m ? (m ? "yes" : "NO") : "-"),-4} {(row.Verified ? "yes" : "NO")}"));
}

Console.WriteLine($"(wall time {wall.Elapsed.TotalSeconds:F0} s; ratio = ReJot / native; for ms lower is better)");
var json = JsonSerializer.Serialize(new
{
    run = quick ? "quick" : "full",
    startedUtc = DateTime.UtcNow - wall.Elapsed,
    cores = Environment.ProcessorCount,
    sizes,
    nativeSynchronousCommit = nativeAsyncCommit ? "off" : "on",
    rejotSinkCluster = separateSink ? "B" : "A",
    eventStore = separateEventStore ? "own database" : "source database",
    note = "Shared, noisy machine: only same-run ratios count.",
    results = rows,
}, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
await File.WriteAllTextAsync(outPath, json);
Console.WriteLine($"wrote {Path.GetFullPath(outPath)}");
return rows.All(r => r.Verified) ? 0 : 1;

async Task<Row> CompareAsync(Harness harness, string name, string unit, bool higherIsBetter, string target, Func<double, double, bool>? met, Func<Replicator, BenchSizes, Task<Measurement>> run)
{
    var tag = name.Split(' ')[0];
    Measurement rejot;
    await using (var r = await ReJotReplicator.CreateAsync(harness, tag, separateSink, separateEventStore))
    {
        rejot = await run(r, sizes);
    }

    Console.WriteLine("  ReJot:  " + rejot.Details + (rejot.PeakMemoryMiB is { } m ? string.Create(CultureInfo.InvariantCulture, $"; engine peak RSS {m:F0} MiB") : ""));
    if (rejotOnly)
    {
        return new Row(name, unit, rejot.Value, null, null, target, null, rejot.Verified, "native skipped (--rejot-only)", rejot, null);
    }

    Measurement native;
    await using (var n = await NativeReplicator.CreateAsync(harness, tag, nativeAsyncCommit))
    {
        native = await run(n, sizes);
    }

    Console.WriteLine("  native: " + native.Details);
    var ratio = Ratio(rejot.Value, native.Value);
    _ = higherIsBetter;
    return new Row(name, unit, rejot.Value, native.Value, ratio, target, met?.Invoke(rejot.Value, native.Value), rejot.Verified && native.Verified, "", rejot, native);
}

async Task<List<Row>> CompileAsync()
{
    // The generator benchmark (its own project; Roslyn GeneratorDriver timing on 200 schemas).
    var root = AppContext.BaseDirectory;
    while (!File.Exists(Path.Combine(root, "ReJot.sln")))
    {
        root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("ReJot.sln not found above the benchmark.");
    }

    var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in new[] { "run", "-c", "Release", "--project", Path.Combine(root, "tests", "ReJot.Schemas.Benchmarks") })
    {
        info.ArgumentList.Add(a);
    }

    using var process = Process.Start(info)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    Console.Write(string.Join("", output.Split('\n').Select(l => l.Length > 0 ? "  " + l + "\n" : "")));
    var result = new List<Row>();
    foreach (var (label, name) in new[] { ("full run:", "generator full"), ("incremental, unrelated file edit:", "generator unrelated edit"), ("incremental, one schema's SQL:", "generator schema edit") })
    {
        var match = Regex.Match(output, Regex.Escape(label) + @"\s+([0-9.]+) ms");
        double? ms = match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        result.Add(new Row(name, "ms", ms, null, null, "", null, process.ExitCode == 0 && ms is not null, "200 schemas, median", null, null));
    }

    return result;
}

static double? Ratio(double? rejot, double? native) => rejot is { } a && native is { } b && b != 0 ? a / b : null;

static string Num(double? value) => value is { } v ? v.ToString(v >= 100 ? "N0" : "F1", CultureInfo.InvariantCulture) : "-";

string? Value(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>One line of the table (and of the JSON file).</summary>
internal sealed record Row(string Scenario, string Unit, double? ReJot, double? Native, double? Ratio, string Target, bool? TargetMet, bool Verified, string Notes,
    Measurement? ReJotMeasurement, Measurement? NativeMeasurement);
