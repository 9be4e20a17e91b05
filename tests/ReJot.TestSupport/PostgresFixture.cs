using System.Globalization;
using System.Reflection;
using ReJot.Testing;
using Xunit;

namespace ReJot.TestSupport;

/// <summary>
/// One throwaway PostgreSQL server per test assembly; each test (class) asks for its own fresh databases.
/// Register with <c>[assembly: AssemblyFixture(typeof(ReJot.TestSupport.PostgresFixture))]</c> and take a
/// <see cref="PostgresFixture"/> constructor parameter.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private ThrowawayPostgres? _server;
    private int _counter;

    /// <summary>The server (fails with the launcher's message if none could be provided).</summary>
    public ThrowawayPostgres Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not been initialized by xunit.");

    /// <summary>Superuser connection string to the server's maintenance database.</summary>
    public string ConnectionString => Server.ConnectionString;

    /// <summary>Starts the server.</summary>
    /// <returns>A task that completes when the server runs.</returns>
    public async ValueTask InitializeAsync()
    {
        var prefix = Assembly.GetEntryAssembly()?.GetName().Name ?? "rejot-tests";
        prefix = new string(prefix.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').ToArray());
        var options = new ThrowawayPostgresOptions { NamePrefix = prefix.Length is > 0 and <= 32 ? prefix : "rejot-tests" };
        _server = await ThrowawayPostgres.StartAsync(options, TestContext.Current.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates a fresh database named after <paramref name="hint"/> plus a counter unique in this run, and
    /// returns its connection string.
    /// </summary>
    /// <param name="hint">Readable part of the name, e.g. the test class.</param>
    /// <returns>The connection string of the new database.</returns>
    public Task<string> CreateDatabaseAsync(string hint)
    {
        var number = Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture);
        var readable = ThrowawayPostgresNames.Sanitize(hint);
        readable = readable[..Math.Min(readable.Length, 40)];
        return Server.CreateDatabaseAsync($"{readable}_{number}", TestContext.Current.CancellationToken);
    }

    /// <summary>Stops and deletes the server.</summary>
    /// <returns>A task that completes when cleanup is done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}

internal static class ThrowawayPostgresNames
{
    public static string Sanitize(string hint)
    {
        var chars = hint.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
        var text = new string(chars).Trim('_');
        return text.Length == 0 ? "db" : text;
    }
}
