using System.Net.Sockets;
using Npgsql;
using ReJot.Sync.Capture;
using ReJot.Sync.Model;
using ReJot.Sync.Transform;

namespace ReJot.Sync.Hosting;

/// <summary>How retried failures are reported: expected ones (a database restarting, a connection cut) in one line.</summary>
internal static class Failures
{
    /// <summary>
    /// True for failures that are part of normal operations or fully explained by their message: database and
    /// network errors, configuration and contract errors. Their stack trace helps nobody and alarms operators.
    /// </summary>
    public static bool IsExpected(Exception e)
        => e is NpgsqlException or IOException or SocketException or TimeoutException
            or SyncConfigurationException or InvalidEventException or TransformationFailedException or ChangesLostException or ReplicationConnectionLostException or TransactionNotVisibleException or Http.RemoteSyncServiceException;

    /// <summary>The message, followed by the innermost cause when it says more (e.g. "Broken pipe").</summary>
    public static string Describe(Exception e)
    {
        var inner = e;
        while (inner.InnerException is { } next)
        {
            inner = next;
        }

        return ReferenceEquals(inner, e) || e.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? e.Message
            : $"{e.Message} ({inner.Message})";
    }

    /// <summary>The exception to attach to a log entry: none for expected failures.</summary>
    public static Exception? ForLog(Exception e) => IsExpected(e) ? null : e;
}
