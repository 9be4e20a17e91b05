namespace ReJot.Manifest.Tests;

public sealed class ManifestVerifierTests
{
    // JSON is written with ' for " (and ` for a SQL apostrophe) to keep the fixtures readable.
    private static string J(string text) => text.Replace('\'', '"').Replace('`', '\'');

    private static readonly string Pg = J("{'connectionType':'postgres','host':'localhost','port':5432,'user':'u','password':'p','database':'d'}");

    private static ManifestDocument M(string body) => ManifestSerializer.Read("{\"manifestVersion\":0," + body + "}");

    private static string PublicSchema(string name = "account", int major = 1, int minor = 0, string source = "accounts", string? keys = "['id']", string transformations = "[{'operation':'insert','table':'accounts','sql':'SELECT id, name FROM accounts WHERE id = :id'}]", string? outputSchema = null) =>
        J("{'name':'" + name + "','source':{'dataStoreSlug':'" + source + "'},'outputSchema':"
            + (outputSchema ?? "{'type':'object','properties':{'id':{'type':'integer'},'name':{'type':'string'}},'required':['id']}") + ","
            + (keys is null ? string.Empty : "'keys':" + keys + ",")
            + "'version':{'major':" + major + ",'minor':" + minor + "},'config':{'publicSchemaType':'postgres','transformations':" + transformations + "}}");

    private static string Consumer(string source = "accounts-service", string schema = "account", int major = 1, string destination = "orders", string sql = "INSERT INTO a (id, name) VALUES (:id, :name)", string? deleteSql = "DELETE FROM a WHERE id = :id") =>
        J("{'name':'c','sourceManifestSlug':'" + source + "','publicSchema':{'name':'" + schema + "','majorVersion':" + major + "},'config':{'consumerSchemaType':'postgres','destinationDataStoreSlug':'" + destination + "','sql':'" + sql + "'"
            + (deleteSql is null ? string.Empty : ",'deleteSql':'" + deleteSql + "'") + "}}");

    private static readonly string Publisher = J(
        "'slug':'accounts-service','connections':[{'slug':'accounts','config':" + Pg + "}],"
        + "'dataStores':[{'connectionSlug':'accounts','config':{'connectionType':'postgres','slotName':'rejot_slot','publicationName':'rejot_publication'}}],"
        + "'eventStores':[{'connectionSlug':'accounts'}],'publicSchemas':[" + PublicSchema() + "]");

    private static string ConsumerManifest(string consumer) => J(
        "'slug':'orders-service','connections':[{'slug':'orders','config':" + Pg + "}],'dataStores':[{'connectionSlug':'orders'}],'consumerSchemas':[") + consumer + "]";

    private static string WithSchema(string schema) => Publisher.Replace("[" + PublicSchema() + "]", "[" + schema + "]", StringComparison.Ordinal);

    private static VerificationResult VerifyAll(params string[] bodies) =>
        ManifestVerifier.Verify([.. bodies.Select((b, i) => new ManifestWithPath(M(b), $"m{i}.json"))]);

    private static ManifestDiagnostic Single(VerificationResult result, string type) =>
        Assert.Single(result.Diagnostics, d => d.Type == type);

    [Fact]
    public void Empty_manifest_is_valid()
    {
        var result = ManifestVerifier.Verify(ManifestDocument.CreateEmpty("test-manifest"));

        Assert.True(result.IsValid);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Publisher_and_consumer_together_are_valid()
    {
        var result = VerifyAll(Publisher, ConsumerManifest(Consumer()));

        Assert.True(result.IsValid, string.Join("\n", result.Diagnostics));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.ExternalReferences);
    }

    [Fact]
    public void Original_example_manifests_verify_together_apart_from_the_missing_event_store_connection()
    {
        var result = ManifestVerifier.Verify([
            new ManifestWithPath(ManifestSerializer.Read(Fixtures.Read("original-fromaccounts.json"))),
            new ManifestWithPath(ManifestSerializer.Read(Fixtures.Read("original-to-orders.json"))),
        ]);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("CONNECTION_NOT_FOUND", diagnostic.Type);
        Assert.Equal("eventStore.connectionSlug: eventstore", diagnostic.Location.Context);
    }

    [Fact]
    public void Missing_connections_of_data_and_event_stores_are_CONNECTION_NOT_FOUND()
    {
        var result = VerifyAll(J(
            "'slug':'test-manifest','connections':[{'slug':'conn1','config':" + Pg + "}],"
            + "'dataStores':[{'connectionSlug':'conn1','config':{'connectionType':'postgres','slotName':'pub1','publicationName':'pub1'}},"
            + "{'connectionSlug':'conn2','config':{'connectionType':'postgres','slotName':'pub2','publicationName':'pub2'}}],"
            + "'eventStores':[{'connectionSlug':'conn3'}]"));

        Assert.False(result.IsValid);
        Assert.Equal(2, result.Diagnostics.Count);
        Assert.All(result.Diagnostics, d => Assert.Equal("CONNECTION_NOT_FOUND", d.Type));
        Assert.Contains(result.Diagnostics, d => d.Location.Context == "dataStore.connectionSlug: conn2");
        Assert.Contains(result.Diagnostics, d => d.Location.Context == "eventStore.connectionSlug: conn3");
        Assert.All(result.Diagnostics, d => Assert.Equal("m0.json", d.Location.ManifestPath));
        Assert.Contains("rejot manifest connection add --slug conn2", result.Diagnostics[0].Hint!.Suggestions, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_store_config_of_another_type_is_CONNECTION_TYPE_MISMATCH()
    {
        var result = VerifyAll(J(
            "'slug':'test-manifest','connections':[{'slug':'conn1','config':" + Pg + "},{'slug':'conn2','config':{'connectionType':'in-memory'}}],"
            + "'dataStores':[{'connectionSlug':'conn1','config':{'connectionType':'postgres','slotName':'pub1','publicationName':'pub1'}},"
            + "{'connectionSlug':'conn2','config':{'connectionType':'postgres','slotName':'pub2','publicationName':'pub2'}}]"));

        var mismatch = Single(result, "CONNECTION_TYPE_MISMATCH");
        Assert.Contains("'postgres' but references connection 'conn2' with type 'in-memory'", mismatch.Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticSeverity.Error, mismatch.Severity);
    }

    [Fact]
    public void Unused_connection_is_only_a_warning()
    {
        var result = VerifyAll(J("'slug':'test-manifest','connections':[{'slug':'conn1','config':" + Pg + "}]"));

        var unused = Single(result, "UNUSED_CONNECTION");
        Assert.Equal(DiagnosticSeverity.Warning, unused.Severity);
        Assert.True(result.IsValid);
    }

    [Fact]
    public void Two_data_stores_on_one_connection_are_DUPLICATE_DATA_STORE()
    {
        var result = VerifyAll(J("'slug':'a','connections':[{'slug':'c','config':" + Pg + "}],'dataStores':[{'connectionSlug':'c'},{'connectionSlug':'c'}]"));

        Assert.Equal("dataStore.connectionSlug: c", Single(result, "DUPLICATE_DATA_STORE").Location.Context);
    }

    [Fact]
    public void Two_connections_with_one_slug_are_DUPLICATE_CONNECTION()
    {
        var result = VerifyAll(J("'slug':'a','connections':[{'slug':'c','config':" + Pg + "},{'slug':'c','config':" + Pg + "}],'dataStores':[{'connectionSlug':'c'}]"));

        Single(result, "DUPLICATE_CONNECTION");
    }

    [Fact]
    public void Public_schema_source_that_does_not_exist_is_DATA_STORE_NOT_FOUND()
    {
        var result = VerifyAll(Publisher.Replace("\"dataStoreSlug\":\"accounts\"", "\"dataStoreSlug\":\"non-existent-store\"", StringComparison.Ordinal));

        var diagnostic = Single(result, "DATA_STORE_NOT_FOUND");
        Assert.Contains("account", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("non-existent-store", diagnostic.Message, StringComparison.Ordinal);
        Assert.StartsWith("publicSchemas[0].source", diagnostic.Location.Context, StringComparison.Ordinal);
    }

    [Fact]
    public void Public_schema_source_without_config_is_DATA_STORE_MISSING_CONFIG()
    {
        var result = VerifyAll(Publisher.Replace(",\"config\":{\"connectionType\":\"postgres\",\"slotName\":\"rejot_slot\",\"publicationName\":\"rejot_publication\"}", string.Empty, StringComparison.Ordinal));

        Single(result, "DATA_STORE_MISSING_CONFIG");
    }

    [Fact]
    public void Consumer_destination_that_does_not_exist_is_DATA_STORE_NOT_FOUND()
    {
        var result = VerifyAll(Publisher, ConsumerManifest(Consumer(destination: "nowhere")));

        Assert.Contains("'nowhere'", Single(result, "DATA_STORE_NOT_FOUND").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void External_source_manifest_is_MANIFEST_NOT_FOUND_only_when_external_references_are_checked()
    {
        var manifest = M(ConsumerManifest(Consumer(source: "non-existent", schema: "test")));

        var checkedResult = ManifestVerifier.Verify(manifest);
        var withoutCheck = ManifestVerifier.Verify(manifest, options: new ManifestVerificationOptions { CheckExternalReferences = false });

        Assert.False(checkedResult.IsValid);
        Assert.Equal("consumerSchema.sourceManifestSlug: non-existent", Single(checkedResult, "MANIFEST_NOT_FOUND").Location.Context);
        Assert.True(withoutCheck.IsValid);
        Assert.Empty(withoutCheck.Diagnostics);
        var reference = Assert.Single(withoutCheck.ExternalReferences);
        Assert.Equal(new ExternalPublicSchemaReference("non-existent", "test", 1, "orders-service"), reference);
        Assert.Equal(checkedResult.ExternalReferences, withoutCheck.ExternalReferences);
    }

    [Fact]
    public void Each_external_consumer_is_reported_and_recorded()
    {
        var result = VerifyAll(J(
            "'slug':'local-manifest','connections':[{'slug':'orders','config':" + Pg + "}],'dataStores':[{'connectionSlug':'orders'}],"
            + "'consumerSchemas':[" + Consumer("external-1", "schema1") + "," + Consumer("external-1", "schema2", 2) + "," + Consumer("external-2", "schema3") + "]"));

        Assert.Equal(3, result.Diagnostics.Count(d => d.Type == "MANIFEST_NOT_FOUND"));
        Assert.Equal(["external-1", "external-2"], result.ExternalReferences.Select(r => r.ManifestSlug).Distinct());
        Assert.Equal(2, result.ExternalReferences.Single(r => r.PublicSchemaName == "schema2").MajorVersion);
    }

    [Fact]
    public void Consumer_of_an_unpublished_schema_is_PUBLIC_SCHEMA_NOT_FOUND()
    {
        var result = VerifyAll(Publisher, ConsumerManifest(Consumer(schema: "missing")));

        var diagnostic = Single(result, "PUBLIC_SCHEMA_NOT_FOUND");
        Assert.Equal("Available: account", diagnostic.Hint!.Suggestions);
    }

    [Fact]
    public void Consumer_of_an_unpublished_major_version_is_VERSION_MISMATCH()
    {
        var result = VerifyAll(Publisher, ConsumerManifest(Consumer(major: 2)));

        Assert.Equal("Consumer schema requires version 2 of public schema 'account', but available versions are: 1", Single(result, "VERSION_MISMATCH").Message);
    }

    [Fact]
    public void Same_public_schema_version_twice_is_DUPLICATE_PUBLIC_SCHEMA_across_manifests()
    {
        var second = Publisher.Replace("accounts-service", "other-service", StringComparison.Ordinal);

        var result = VerifyAll(Publisher, second);

        var diagnostic = Single(result, "DUPLICATE_PUBLIC_SCHEMA");
        Assert.Equal("other-service", diagnostic.Location.ManifestSlug);
        Assert.Contains("already defined in manifest 'accounts-service'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Different_majors_of_one_public_schema_coexist()
    {
        var both = WithSchema(PublicSchema() + "," + PublicSchema(major: 2));

        var result = VerifyAll(both, ConsumerManifest(Consumer(major: 2)));

        Assert.True(result.IsValid, string.Join("\n", result.Diagnostics));
    }

    [Fact]
    public void Same_slug_twice_is_DUPLICATE_MANIFEST_SLUG()
    {
        var result = VerifyAll("\"slug\":\"a\"", "\"slug\":\"a\"");

        Assert.Equal("m1.json", Single(result, "DUPLICATE_MANIFEST_SLUG").Location.ManifestPath);
    }

    [Theory]
    [InlineData("Accounts", true)]
    [InlineData("has space", true)]
    [InlineData("accounts-service", false)]
    [InlineData("@rejot/", false)]
    [InlineData("@scope/name-1", false)]
    public void Slug_rule_is_INVALID_SLUG(string slug, bool invalid)
    {
        var result = ManifestVerifier.Verify(ManifestDocument.CreateEmpty(slug));

        Assert.Equal(invalid, result.Diagnostics.Any(d => d.Type == "INVALID_SLUG"));
    }

    [Theory]
    [InlineData("Bad-Slot", "pub", "INVALID_SLOT_NAME")]
    [InlineData("slot", "pub lication", "INVALID_PUBLICATION_NAME")]
    [InlineData("a_very_long_slot_name_that_is_longer_than_the_sixty_three_bytes_pg_allows", "pub", "INVALID_SLOT_NAME")]
    public void Replication_names_follow_postgres_rules(string slot, string publication, string type)
    {
        var result = VerifyAll(J("'slug':'a','connections':[{'slug':'c','config':" + Pg + "}],'dataStores':[{'connectionSlug':'c','config':{'connectionType':'postgres','slotName':'" + slot + "','publicationName':'" + publication + "'}}]"));

        Single(result, type);
    }

    [Fact]
    public void Unknown_connection_type_is_UNSUPPORTED_CONNECTION_TYPE()
    {
        var result = VerifyAll(J("'slug':'a','connections':[{'slug':'c','config':{'connectionType':'mysql','host':'h'}}],'dataStores':[{'connectionSlug':'c'}]"));

        Single(result, "UNSUPPORTED_CONNECTION_TYPE");
    }

    [Fact]
    public void Malformed_environment_reference_is_INVALID_ENVIRONMENT_REFERENCE()
    {
        var result = VerifyAll(J("'slug':'a','connections':[{'slug':'c','config':{'connectionType':'postgres','host':'h','port':1,'user':'u','password':'${BROKEN','database':'d'}}],'dataStores':[{'connectionSlug':'c'}]"));

        Assert.Equal("connection.slug: c, config.password", Single(result, "INVALID_ENVIRONMENT_REFERENCE").Location.Context);
    }

    [Theory]
    [InlineData("\"not a schema\"", "expected a JSON object, found a string")]
    [InlineData("{'type':'string'}", "it must describe an object")]
    [InlineData("{'type':'thing'}", "'type' must be a JSON Schema type name")]
    [InlineData("{'type':'object','properties':[]}", "'properties' must be an object")]
    [InlineData("{'type':'object','properties':{'id':5}}", "property 'id' must be a schema")]
    [InlineData("{'type':'object','properties':{'id':{}},'required':['idd']}", "required field 'idd' is not in 'properties'")]
    [InlineData("{'type':'object','properties':{'id':{'$ref':'https://example.com/x.json'}}}", "external reference")]
    public void Invalid_output_schema_is_INVALID_OUTPUT_SCHEMA(string outputSchema, string expected)
    {
        var result = VerifyAll(WithSchema(PublicSchema(keys: null, outputSchema: outputSchema)));

        var message = Single(result, "INVALID_OUTPUT_SCHEMA").Message;
        Assert.True(message.Contains(expected, StringComparison.Ordinal), message);
    }

    [Fact]
    public void Output_schema_with_local_definitions_is_valid()
    {
        const string schema = "{'type':'object','definitions':{'money':{'type':'number'}},'properties':{'id':{'type':'integer'},'total':{'$ref':'#/definitions/money'}}}";

        var result = VerifyAll(WithSchema(PublicSchema(outputSchema: schema)));

        Assert.DoesNotContain(result.Diagnostics, d => d.Type == "INVALID_OUTPUT_SCHEMA");
    }

    [Fact]
    public void Key_that_is_not_an_output_field_is_KEY_NOT_IN_OUTPUT_SCHEMA()
    {
        var result = VerifyAll(WithSchema(PublicSchema(keys: "[\"accountId\"]")));

        Assert.Equal("Available: id, name", Single(result, "KEY_NOT_IN_OUTPUT_SCHEMA").Hint!.Suggestions);
    }

    [Fact]
    public void Delete_transformation_without_keys_is_a_DELETE_WITHOUT_KEYS_warning()
    {
        var schema = PublicSchema(keys: null, transformations: "[{'operation':'delete','table':'accounts','sql':'SELECT :id AS id'}]");

        var result = VerifyAll(WithSchema(schema));

        Assert.Equal(DiagnosticSeverity.Warning, Single(result, "DELETE_WITHOUT_KEYS").Severity);
        Assert.True(result.IsValid);
    }

    [Fact]
    public void Public_schema_without_transformations_is_NO_TRANSFORMATION_FOUND()
    {
        var result = VerifyAll(WithSchema(PublicSchema(transformations: "[]")));

        Single(result, "NO_TRANSFORMATION_FOUND");
    }

    [Fact]
    public void Unknown_operation_is_INVALID_TRANSFORMATION_OPERATION()
    {
        var result = VerifyAll(WithSchema(PublicSchema(transformations: "[{'operation':'insertOrUpdate','table':'t','sql':'SELECT 1'}]")));

        Single(result, "INVALID_TRANSFORMATION_OPERATION");
    }

    [Theory]
    [InlineData("SELECT id FROM accounts WHERE id = :id AND x = $1", "MIXING_POSITIONAL_AND_NAMED_PLACEHOLDERS")]
    [InlineData("SELECT id FROM accounts WHERE id = $2", "POSITIONAL_PLACEHOLDER_NOT_SEQUENTIAL")]
    [InlineData("SELECT `unterminated FROM accounts", "INVALID_SQL")]
    public void Public_transformation_sql_style_errors_are_reported(string sql, string type)
    {
        var result = VerifyAll(WithSchema(PublicSchema(transformations: "[{'operation':'insert','table':'accounts','sql':'" + sql + "'}]")));

        Assert.Equal("publicSchemas[0].config.transformations[0].sql", Single(result, type).Location.Context);
    }

    [Fact]
    public void Consumer_placeholder_that_is_not_an_output_field_is_NAMED_PLACEHOLDER_NOT_VALID()
    {
        var result = VerifyAll(Publisher, ConsumerManifest(Consumer(sql: "INSERT INTO a (id, mail) VALUES (:id, :email) ON CONFLICT (id) DO UPDATE SET mail = :email")));

        var diagnostic = Single(result, "NAMED_PLACEHOLDER_NOT_VALID");
        Assert.Contains(":email", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal("consumerSchemas[0].config.sql", diagnostic.Location.Context);
        Assert.Equal("Available: id, name", diagnostic.Hint!.Suggestions);
    }

    [Fact]
    public void Consumer_delete_sql_may_use_only_the_keys()
    {
        var result = VerifyAll(Publisher, ConsumerManifest(Consumer(deleteSql: "DELETE FROM a WHERE id = :id AND name = :name")));

        var diagnostic = Single(result, "NAMED_PLACEHOLDER_NOT_VALID");
        Assert.Contains("deleteSql uses :name, which is not one of the keys of", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal("Available: id", diagnostic.Hint!.Suggestions);
    }

    [Fact]
    public void Casts_and_quoted_text_are_not_placeholders()
    {
        var result = VerifyAll(Publisher, ConsumerManifest(Consumer(sql: "INSERT INTO a (id, name) VALUES (:id::bigint, `:nope` || :name)")));

        Assert.True(result.IsValid, string.Join("\n", result.Diagnostics));
    }

    [Fact]
    public void External_consumer_sql_still_gets_style_checks()
    {
        var manifest = M(ConsumerManifest(Consumer(source: "elsewhere", sql: "INSERT INTO a VALUES ($1, :name)")));

        var result = ManifestVerifier.Verify(manifest, options: new ManifestVerificationOptions { CheckExternalReferences = false });

        Single(result, "MIXING_POSITIONAL_AND_NAMED_PLACEHOLDERS");
    }

    [Fact]
    public void Diagnostic_prints_severity_type_message_and_location()
    {
        var result = VerifyAll(J("'slug':'a','connections':[{'slug':'c','config':" + Pg + "}]"));

        Assert.Equal("warning UNUSED_CONNECTION: Connection 'c' is not used by any data store or event store (manifest 'a' at m0.json, connection.slug: c)", result.Diagnostics[0].ToString());
    }
}
