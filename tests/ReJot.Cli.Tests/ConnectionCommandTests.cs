using System.Text.Json.Nodes;

namespace ReJot.Cli.Tests;

public sealed class ConnectionCommandTests
{
    [Theory]
    [InlineData("postgresql://app:s3cret@db.internal:5433/accounts", "db.internal", 5433)]
    [InlineData("postgres://app:s3cret@db.internal/accounts", "db.internal", 5432)]
    [InlineData("postgresql://app:s3cret@[::1]:6000/accounts", "::1", 6000)]
    public async Task Add_from_a_connection_string(string uri, string host, int port)
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        var result = await cli.RunAsync("manifest", "connection", "add", "--slug", "accounts", "--connection-string", uri);

        CliAssert.Succeeds(result);
        var config = Assert.Single((await cli.ReadManifestAsync()).Connections!).Config;
        Assert.Equal(("postgres", host, port, "app", "s3cret", "accounts"), (config.ConnectionType, config.Host, config.Port!.Value, config.User, config.Password, config.Database));
        Assert.DoesNotContain("s3cret", result.All, StringComparison.Ordinal);
        Assert.Contains("****", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_decodes_percent_encoded_credentials()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--connection-string", "postgresql://us%40er:p%40ss%2Fword@h/d"));

        var config = (await cli.ReadManifestAsync()).Connections![0].Config;
        Assert.Equal(("us@er", "p@ss/word"), (config.User, config.Password));
    }

    [Fact]
    public async Task Add_from_separate_flags_defaults_the_port()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--type", "postgres", "--host", "h", "--user", "u", "--password", "p", "--database", "d"));

        Assert.Equal(5432, (await cli.ReadManifestAsync()).Connections![0].Config.Port);
    }

    [Fact]
    public async Task Add_keeps_an_environment_reference_and_shows_it_unresolved()
    {
        using var cli = new CliHarness();
        cli.Environment["ACCOUNTS_DB_PASSWORD"] = "resolved-secret";
        await cli.InitAsync();

        var add = await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--type", "postgres", "--host", "h", "--port", "6543", "--user", "u", "--password", "${ACCOUNTS_DB_PASSWORD}", "--database", "d");
        var list = await cli.RunAsync("manifest", "connection", "list");

        CliAssert.Succeeds(add);
        Assert.Equal("c: postgresql://u:${ACCOUNTS_DB_PASSWORD}@h:6543/d\n", list.Output.ReplaceLineEndings("\n"));
        Assert.Equal("${ACCOUNTS_DB_PASSWORD}", (await cli.ReadManifestAsync()).Connections![0].Config.Password);
        Assert.DoesNotContain("resolved-secret", add.All + list.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_string_may_carry_an_environment_reference_as_password()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        var result = await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--connection-string", "postgresql://u:${DB_PW}@h/d");

        CliAssert.Succeeds(result);
        Assert.Contains("postgresql://u:${DB_PW}@h:5432/d", result.Output, StringComparison.Ordinal);
        Assert.Equal("${DB_PW}", (await cli.ReadManifestAsync()).Connections![0].Config.Password);
    }

    [Theory]
    [InlineData("mysql://u:p@h/d", "must start with postgresql://")]
    [InlineData("postgresql://u@h/d", "has no password")]
    [InlineData("postgresql://u:@h/d", "the password is empty")]
    [InlineData("postgresql://u:p@h", "has no database")]
    [InlineData("postgresql://u:p@h:99999/d", "is not a number from 1 to 65535")]
    [InlineData("postgresql://u:p@h/d?sslmode=require", "query parameters")]
    public async Task Add_rejects_bad_connection_strings_without_echoing_them(string uri, string expected)
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        var result = await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--connection-string", uri);

        CliAssert.Fails(result, 2, expected);
        Assert.DoesNotContain(uri, result.All, StringComparison.Ordinal);
        Assert.Empty((await cli.ReadManifestAsync()).Connections!);
    }

    [Fact]
    public async Task Connection_string_and_separate_flags_are_exclusive()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        CliAssert.Fails(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--connection-string", "postgresql://u:p@h/d", "--host", "x"), 2, "--connection-string cannot be combined with --host");
    }

    [Fact]
    public async Task Separate_flags_must_be_complete()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        CliAssert.Fails(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--type", "postgres", "--host", "h"), 2, "Missing --user, --password, --database");
    }

    [Fact]
    public async Task Only_postgres_type_is_accepted()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        CliAssert.Fails(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--type", "mysql", "--host", "h", "--user", "u", "--password", "p", "--database", "d"), 2, "mysql");
    }

    [Fact]
    public async Task Duplicate_slug_is_refused()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();
        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--connection-string", "postgresql://u:p@h/d"));

        CliAssert.Fails(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--connection-string", "postgresql://u:p@h/d"), 1, "Connection 'c' already exists");
    }

    [Fact]
    public async Task Add_without_a_manifest_says_how_to_create_one()
    {
        using var cli = new CliHarness();

        CliAssert.Fails(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--connection-string", "postgresql://u:p@h/d"), 1, "rejot manifest init --slug <slug>");
        Assert.False(File.Exists(cli.ManifestPath));
    }

    [Fact]
    public async Task Update_with_a_connection_string_replaces_the_connection()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();
        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--connection-string", "postgresql://u:p@h/d"));

        var result = await cli.RunAsync("manifest", "connection", "update", "c", "--connection-string", "postgresql://u2:p2@h2:7000/d2");

        CliAssert.Succeeds(result);
        var config = (await cli.ReadManifestAsync()).Connections![0].Config;
        Assert.Equal(("h2", 7000, "u2", "p2", "d2"), (config.Host, config.Port!.Value, config.User, config.Password, config.Database));
        Assert.DoesNotContain("p2@", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_with_flags_changes_only_those_fields()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();
        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--connection-string", "postgresql://u:p@h:5000/d"));

        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "update", "c", "--password", "${NEW_PW}"));

        var config = (await cli.ReadManifestAsync()).Connections![0].Config;
        Assert.Equal(("h", 5000, "u", "${NEW_PW}", "d"), (config.Host, config.Port!.Value, config.User, config.Password, config.Database));
    }

    [Fact]
    public async Task Update_of_an_unknown_connection_fails()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        CliAssert.Fails(await cli.RunAsync("manifest", "connection", "update", "nope", "--host", "h"), 1, "Connection 'nope' not found");
    }

    [Fact]
    public async Task Update_without_changes_is_a_usage_error()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        CliAssert.Fails(await cli.RunAsync("manifest", "connection", "update", "c"), 2, "Nothing to update");
    }

    [Fact]
    public async Task Remove_deletes_an_unused_connection()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();
        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--connection-string", "postgresql://u:p@h/d"));

        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "remove", "c"));

        Assert.Empty((await cli.ReadManifestAsync()).Connections!);
    }

    [Fact]
    public async Task Remove_of_an_unknown_connection_fails()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        CliAssert.Fails(await cli.RunAsync("manifest", "connection", "remove", "nope"), 1, "Connection 'nope' not found");
    }

    [Fact]
    public async Task Remove_of_a_connection_in_use_is_refused()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();
        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "add", "--slug", "c", "--connection-string", "postgresql://u:p@h/d"));
        CliAssert.Succeeds(await cli.RunAsync("manifest", "eventstore", "add", "--connection", "c"));

        CliAssert.Fails(await cli.RunAsync("manifest", "connection", "remove", "c"), 1, "rejot manifest eventstore remove c");
        Assert.Single((await cli.ReadManifestAsync()).Connections!);
    }

    [Fact]
    public async Task List_of_an_empty_manifest_says_so()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        var result = await cli.RunAsync("manifest", "connection", "list");

        CliAssert.Succeeds(result);
        Assert.Equal("No connections.", result.Output.Trim());
    }

    [Fact]
    public async Task Writes_keep_schemas_and_unknown_content_of_an_original_manifest()
    {
        using var cli = new CliHarness();
        var original = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "original-fromaccounts.json"));
        var node = JsonNode.Parse(original)!.AsObject();
        node["x-team"] = "payments";
        File.WriteAllText(cli.ManifestPath, node.ToJsonString());

        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "add", "--slug", "eventstore", "--connection-string", "postgresql://u:p@h/events"));

        var written = JsonNode.Parse(File.ReadAllText(cli.ManifestPath))!.AsObject();
        Assert.Equal("payments", (string?)written["x-team"]);
        Assert.True(JsonNode.DeepEquals(node["publicSchemas"], written["publicSchemas"]));
        Assert.Equal(2, written["connections"]!.AsArray().Count);
    }
}
