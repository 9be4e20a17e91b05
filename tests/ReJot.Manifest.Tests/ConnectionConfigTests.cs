namespace ReJot.Manifest.Tests;

public sealed class ConnectionConfigTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["ACCOUNTS_DB_PASSWORD"] = "s3cret",
        ["REGION"] = "eu",
    };

    private static string? Get(string name) => Environment.GetValueOrDefault(name);

    [Fact]
    public void Environment_references_are_resolved_from_the_injected_environment()
    {
        var config = ConnectionConfig.Postgres("db-${REGION}.internal", 5432, "app", "${ACCOUNTS_DB_PASSWORD}", "accounts");

        var resolved = config.ResolveEnvironment(Get, "accounts");

        Assert.Equal("db-eu.internal", resolved.Host);
        Assert.Equal("s3cret", resolved.Password);
        Assert.Equal("${ACCOUNTS_DB_PASSWORD}", config.Password);
    }

    [Fact]
    public void Unset_variable_gives_a_clear_error_naming_connection_field_and_variable()
    {
        var config = ConnectionConfig.Postgres("h", 5432, "u", "${MISSING_PASSWORD}", "d");

        var exception = Assert.Throws<EnvironmentReferenceException>(() => config.ResolveEnvironment(Get, "accounts"));

        Assert.Equal("MISSING_PASSWORD", exception.VariableName);
        Assert.Equal("Connection 'accounts' password references environment variable 'MISSING_PASSWORD', which is not set. Set MISSING_PASSWORD or write the value into the manifest.", exception.Message);
    }

    [Theory]
    [InlineData("${}")]
    [InlineData("${1ABC}")]
    [InlineData("pre${OPEN")]
    public void Malformed_reference_is_an_error(string value)
    {
        var exception = Assert.Throws<EnvironmentReferenceException>(() => EnvironmentReferences.Resolve(value, Get, "c", "host"));

        Assert.Contains("malformed environment reference", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Double_dollar_escapes_a_literal_reference()
    {
        Assert.Equal("a${B}c", EnvironmentReferences.Resolve("a$${B}c", Get, "c", "password"));
        Assert.Equal("p$ss", EnvironmentReferences.Resolve("p$ss", Get, "c", "password"));
    }

    [Fact]
    public void Display_masks_literal_passwords_and_shows_references_as_written()
    {
        Assert.Equal("postgresql://app:****@h:5432/db", ConnectionConfig.Postgres("h", 5432, "app", "hunter2", "db").ToString());
        Assert.Equal("postgresql://app:${DB_PW}@h:5432/db", ConnectionConfig.Postgres("h", 5432, "app", "${DB_PW}", "db").ToString());
        Assert.Equal("postgresql://app:****@h:5432/db", ConnectionConfig.Postgres("h", 5432, "app", "x${DB_PW}", "db").ToString());
        Assert.Equal("in-memory", new ConnectionConfig { ConnectionType = ConnectionConfig.InMemoryType }.ToString());
        Assert.DoesNotContain("hunter2", new ManifestConnection { Slug = "c", Config = ConnectionConfig.Postgres("h", 1, "u", "hunter2", "d") }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Referenced_names_are_listed()
    {
        Assert.Equal(["A", "B_2"], EnvironmentReferences.GetReferencedNames("${A}-${B_2}-$${C}"));
        Assert.True(EnvironmentReferences.IsReferenceOnly("${A}"));
        Assert.False(EnvironmentReferences.IsReferenceOnly("x${A}"));
    }
}

public sealed class ConnectionStringsTests
{
    [Fact]
    public void Keyword_connection_string_quotes_awkward_values()
    {
        var config = ConnectionConfig.Postgres("db", 5433, "app", "pa;ss=\"word'", "accounts");

        var text = ConnectionStrings.ToKeywordConnectionString(config);

        var parsed = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = text };
        Assert.Equal("pa;ss=\"word'", parsed["Password"]);
        Assert.Equal("5433", parsed["Port"]);
        Assert.Equal("app", parsed["Username"]);
    }

    [Fact]
    public void Unresolved_reference_is_refused()
    {
        var config = ConnectionConfig.Postgres("db", 5432, "app", "${PW}", "accounts");

        var exception = Assert.Throws<InvalidOperationException>(() => ConnectionStrings.ToKeywordConnectionString(config));

        Assert.Contains("ResolveEnvironment", exception.Message, StringComparison.Ordinal);
        Assert.Contains("secret", ConnectionStrings.ToKeywordConnectionString(config.ResolveEnvironment(_ => "secret")), StringComparison.Ordinal);
    }
}
