using Npgsql;
using ReJot.TestSupport;

namespace ReJot.Testing.Tests;

public sealed class PostgresFixtureTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Fixture_gives_a_fresh_database_per_request_even_for_the_same_hint()
    {
        var first = await postgres.CreateDatabaseAsync(nameof(PostgresFixtureTests));
        var second = await postgres.CreateDatabaseAsync(nameof(PostgresFixtureTests));

        var firstName = new NpgsqlConnectionStringBuilder(first).Database!;
        var secondName = new NpgsqlConnectionStringBuilder(second).Database!;
        Assert.NotEqual(firstName, secondName);
        Assert.StartsWith("postgresfixturetests_", firstName, StringComparison.Ordinal);
        Assert.Equal(firstName, await Support.ScalarAsync<string>(first, "SELECT current_database()"));
        Assert.Equal("logical", await Support.ScalarAsync<string>(postgres.ConnectionString, "SHOW wal_level"));
    }
}
