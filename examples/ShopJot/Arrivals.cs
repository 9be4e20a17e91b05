using System.Diagnostics;
using ShopJot.Common;

namespace ShopJot;

/// <summary>
/// Matches changes arriving on the consuming side with what the scenario did, and prints each one with its delay: from
/// the API call on the publishing service to the row committed in the consuming service's database.
/// </summary>
internal sealed class Arrivals(Output output)
{
    private readonly Lock _gate = new();
    private readonly List<Expectation> _pending = [];
    private readonly List<ReceivedChange> _unmatched = [];
    private readonly List<TimeSpan> _delays = [];
    private bool _scenarioDone;

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_gate)
            {
                return [.. _delays];
            }
        }
    }

    public IReadOnlyList<string> Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Select(e => e.Description).ToList();
            }
        }
    }

    /// <summary>Expects a change (it may already have arrived); completes with its delay.</summary>
    public Task<TimeSpan> Expect(string description, long startTimestamp, Func<ReceivedChange, bool> match)
    {
        var expectation = new Expectation(description, startTimestamp, match);
        lock (_gate)
        {
            // The change can commit on the other side before the API call that caused it has returned.
            var early = _unmatched.FirstOrDefault(match);
            if (early is not null)
            {
                _unmatched.Remove(early);
                Complete(expectation, early);
            }
            else
            {
                _pending.Add(expectation);
            }
        }

        return expectation.Done.Task;
    }

    /// <summary>From now on, changes nobody expects are printed as they come (someone is using the API).</summary>
    public void ScenarioDone()
    {
        lock (_gate)
        {
            _scenarioDone = true;
            foreach (var change in _unmatched)
            {
                output.Line($"  {change.Service} received {Describe(change)}");
            }

            _unmatched.Clear();
        }
    }

    public void OnReceived(ReceivedChange change)
    {
        lock (_gate)
        {
            var expectation = _pending.FirstOrDefault(e => e.Match(change));
            if (expectation is not null)
            {
                _pending.Remove(expectation);
                Complete(expectation, change);
            }
            else if (_scenarioDone)
            {
                output.Line($"  {change.Service} received {Describe(change)}");
            }
            else
            {
                _unmatched.Add(change);
            }
        }
    }

    private void Complete(Expectation expectation, ReceivedChange change)
    {
        var delay = Stopwatch.GetElapsedTime(expectation.StartTimestamp, change.Timestamp);
        _delays.Add(delay);
        output.Line($"  {change.Service} received {Describe(change),-44} after {delay.TotalMilliseconds,6:0} ms");
        expectation.Done.TrySetResult(delay);
    }

    internal static string Describe(ReceivedChange change)
    {
        var what = change.Operation switch
        {
            "INSERT" => "new",
            "UPDATE" => "changed",
            "DELETE" => "deleted",
            _ => change.Operation.ToLowerInvariant(),
        };
        return change.Table switch
        {
            "known_accounts" => $"account #{change.Long("id")} {Quote(change.Text("name"))} ({what})",
            "account_orders" => $"order #{change.Long("order_id")} of account #{change.Long("account_id")}, {change.Text("total")} ({what})",
            _ => $"{change.Table} {what}: {change.Row}",
        };
    }

    private static string Quote(string? text) => text is null ? string.Empty : $"'{text}'";

    private sealed record Expectation(string Description, long StartTimestamp, Func<ReceivedChange, bool> Match)
    {
        public TaskCompletionSource<TimeSpan> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Console output from several threads, one whole line at a time.</summary>
internal sealed class Output(TextWriter writer)
{
    private readonly Lock _gate = new();

    public void Line(string text = "")
    {
        lock (_gate)
        {
            writer.WriteLine(text);
            writer.Flush();
        }
    }
}
