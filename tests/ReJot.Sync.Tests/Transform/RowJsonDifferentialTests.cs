using System.Text;
using Npgsql;
using ReJot.Sync.Capture;
using ReJot.Sync.Model;
using ReJot.Sync.Transform;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Transform;

/// <summary>
/// Differential: values decoded through a real slot (pgoutput, text form, the engine's reader) and rendered by
/// <see cref="RowProjection"/> must equal, byte for byte, what <c>row_to_json</c> returns for the same row.
/// </summary>
public sealed class RowJsonDifferentialTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Type, SQL literals (one row each). The database's TimeZone is Europe/Amsterdam: whole-hour offsets, and
    // local mean time (+00:19:32) before 1835.
    private static readonly (string Name, string Type, string[] Values)[] Cases =
    [
        ("int2", "smallint", ["0", "-32768", "32767", "NULL"]),
        ("int4", "integer", ["-2147483648", "2147483647", "0"]),
        ("int8", "bigint", ["-9223372036854775808", "9223372036854775807", "9007199254740993"]),
        ("num", "numeric", ["0", "-0", "1.50", "'NaN'", "'Infinity'", "'-Infinity'", "1e-20", "-0.000", "123456789012345678901234567890.123456789", "1e100", "NULL"]),
        ("num_typmod", "numeric(10,2)", ["12.5", "-0.01", "0"]),
        ("f4", "real", ["0", "'-0'", "1.1", "'NaN'", "'Infinity'", "'-Infinity'", "3.4e38", "1e-45", "123456.79", "NULL"]),
        ("f8", "double precision", ["'-0'", "0.1", "1e300", "'NaN'", "'-Infinity'", "'Infinity'", "2.2250738585072014e-308", "1/3.0", "1e21", "123456789012345680000", "5e-324"]),
        ("bool", "boolean", ["true", "false", "NULL"]),
        ("txt", "text", ["''", "'plain'", "'say \"hi\"'", @"'back\slash\\'", @"E'\b\f\n\r\t'", @"E'\x01\x02\x1f\x7f'", "'ünïcödé 中文'", "'😀 emoji 👍🏽'", "'{\"json\":\"like\"}'", "'NULL'", "' padded '", "'</script>&<'", "NULL"]),
        ("vc", "varchar(20)", ["'abc'", "''", "'ä'"]),
        ("bpc", "char(5)", ["'ab'", "''", @"'a""\'"]),
        ("nm", "name", ["'pg_class'", "'Mixed Case'"]),
        ("id_oid", "oid", ["0", "4294967295"]),
        ("uid", "uuid", ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'"]),
        ("js", "json", ["'{\"a\": [1, 2.50, \"x\\\"y\"], \"b\": null}'", "'\"str\"'", "'123'", "'[]'", "'  {\"k\" : 1 , \"k\": 2}  '", "'1e400'"]),
        ("jsb", "jsonb", ["'{\"b\": 1, \"a\": \"x\\\"\\\\\\u0001 ü\"}'", "'[1, 2.500, null, true]'", "'\"😀\"'", "'1e400'", "'{\"nested\": {\"s\": \"line\\nbreak\"}}'", "'null'"]),
        ("dt", "date", ["'2026-01-01'", "'0044-03-15 BC'", "'infinity'", "'-infinity'", "'5874897-12-31'", "'4713-11-24 BC'", "'0001-01-01'"]),
        ("ts", "timestamp", ["'2026-01-01 00:00:00'", "'2026-06-30 12:34:56.789'", "'2026-01-01 00:00:00.000001'", "'0044-03-15 12:00:00 BC'", "'infinity'", "'-infinity'", "'294276-12-31 23:59:59.999999'", "'10000-01-01 00:00:00'"]),
        ("tstz", "timestamptz", ["'2026-01-01 00:00:00+00'", "'2026-07-01 12:00:00.5+00'", "'1800-01-01 00:00:00+00'", "'0044-03-15 12:00:00+00 BC'", "'infinity'", "'-infinity'", "'2026-03-29 01:30:00.123456+00'", "'1900-01-01 00:00:00+00'", "NULL"]),
        ("money2", "money2", ["12.5", "0"]),
        ("a_int4", "integer[]", ["'{}'", "'{1,NULL,3}'", "'{{1,2},{3,4}}'", "'{{{1},{2}},{{3},{4}}}'", "'{NULL}'"]),
        ("a_txt", "text[]", ["'{\"a,b\",\"c\\\"d\",\"e\\\\f\",NULL,\"NULL\",\"\",\" x \"}'", "'{{a,b},{c,d}}'", "'{\"ü😀\"}'", "ARRAY[E'line\\nbreak', E'tab\\t', E'\\x01', '{}', 'null']"]),
        ("a_num", "numeric[]", ["'{1.50,NaN,-0.001,Infinity}'"]),
        ("a_f8", "float8[]", ["'{NaN,Infinity,-0,1e300,0.1}'"]),
        ("a_bool", "boolean[]", ["'{t,f,NULL}'"]),
        ("a_jsb", "jsonb[]", ["ARRAY['{\"a\": \"x\"}'::jsonb, '[1, 2]', 'null', NULL, '\"s\\\"q\"']"]),
        ("a_js", "json[]", ["ARRAY['{\"a\" : \"x\"}'::json, ' [1,2] ']"]),
        ("a_tstz", "timestamptz[]", ["ARRAY['2026-01-01 00:00:00+00'::timestamptz, NULL, 'infinity', '1800-01-01 00:00:00+00']"]),
        ("a_ts", "timestamp[]", ["'{\"2026-01-01 10:00:00.25\",-infinity}'"]),
        ("a_dt", "date[]", ["'{2026-01-01,infinity,\"0044-03-15 BC\"}'"]),
        ("a_uid", "uuid[]", ["'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'"]),
        ("a_vc", "varchar[]", ["'{a,\"b c\"}'"]),
        ("a_bpc", "char(3)[]", ["'{a,bc}'"]),
    ];

    // Rendered by the query only (explicit array bounds are not parsed here): the projection must decline them.
    private static readonly (string Name, string Type, string Value) Declined = ("a_bounds", "integer[]", "'[0:1]={1,2}'");

    [Fact]
    public async Task Every_whitelisted_type_renders_exactly_as_row_to_json()
    {
        var connectionString = await postgres.CreateDatabaseAsync("rowjson");
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var db = NpgsqlDataSource.Create(connectionString);
        await ExecuteAsync(db, $"ALTER DATABASE \"{database}\" SET timezone = 'Europe/Amsterdam'");
        await using var source = NpgsqlDataSource.Create(connectionString);

        var ddl = new StringBuilder("CREATE DOMAIN money2 AS numeric(10,2);\n");
        foreach (var (name, type, _) in Cases.Append((Declined.Name, Declined.Type, [Declined.Value])))
        {
            ddl.Append(CultureFormat($"CREATE TABLE t_{name} (id int PRIMARY KEY, v {type}, \"Other\" text);\n"));
        }

        var tables = string.Join(", ", Cases.Select(c => "t_" + c.Name).Append("t_" + Declined.Name));
        ddl.Append(CultureFormat($"CREATE PUBLICATION rowjson_pub FOR TABLE {tables};\n"));
        await ExecuteAsync(source, ddl.ToString());
        await ExecuteAsync(source, "SELECT pg_create_logical_replication_slot('rowjson_slot', 'pgoutput')");
        try
        {
            var inserts = new StringBuilder("BEGIN;\n");
            var expected = 0;
            foreach (var (name, _, values) in Cases.Append((Declined.Name, Declined.Type, [Declined.Value])))
            {
                for (var i = 0; i < values.Length; i++)
                {
                    inserts.Append(CultureFormat($"INSERT INTO t_{name} VALUES ({i + 1}, {values[i]}, 'o{i}');\n"));
                    expected++;
                }
            }

            inserts.Append("COMMIT;");
            await ExecuteAsync(source, inserts.ToString());

            var handler = new CollectingHandler(expected);
            var reader = new PgOutputReader(connectionString, new SourceDataStore("rowjson", "rowjson_slot", "rowjson_pub"), 10_000, handler);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            stop.CancelAfter(TimeSpan.FromSeconds(90));
            var running = reader.RunAsync(0, 0, stop.Token);
            await Task.WhenAny(handler.Complete, running);
            await stop.CancelAsync();
            try
            {
                await running;
            }
            catch (OperationCanceledException)
            {
            }

            Assert.True(handler.Complete.IsCompleted, $"decoded {handler.Changes.Count} of {expected} rows");
            Assert.NotNull(handler.Settings);
            Assert.Equal("Europe/Amsterdam", handler.Settings.TimeZone);

            var querySettings = await QuerySettingsAsync(source);
            var baseTypes = await BaseTypesAsync(source);
            var failures = new List<string>();
            var compared = 0;
            foreach (var change in handler.Changes)
            {
                var table = change.Relation.Table.Name;
                var id = int.Parse(change.New!.Values[0]!, System.Globalization.CultureInfo.InvariantCulture);
                // Renamed outputs, quoting and a second column: the names are part of the bytes.
                var sql = $"SELECT v, id AS \"the Id\", \"Other\" AS other FROM {table} WHERE id = :id";
                var shape = ProjectionParser.Parse(sql, out var reason) ?? throw new InvalidOperationException(reason);
                var projection = RowProjection.Bind(shape, change.Relation, oid => baseTypes.TryGetValue(oid, out var b) ? b : null,
                    kind => OutputSettings.Mismatch(kind, handler.Settings, querySettings), out reason);
                Assert.True(projection is not null, $"{table}: {reason}");
                var json = new StringBuilder();
                var rendered = projection.TryWrite(change.New, json);
                var actual = await ScalarAsync(source, $"SELECT row_to_json(r)::text FROM (SELECT v, id AS \"the Id\", \"Other\" AS other FROM {table} WHERE id = {id}) AS r");
                if (table == "t_" + Declined.Name)
                {
                    Assert.False(rendered, "explicit array bounds are left to the query");
                    continue;
                }

                compared++;
                if (!rendered)
                {
                    failures.Add($"{table} #{id} ({change.New.Values[1]}): declined, row_to_json gives {actual}");
                }
                else if (json.ToString() != actual)
                {
                    failures.Add($"{table} #{id}: ours {json} | row_to_json {actual}");
                }
            }

            Assert.True(failures.Count == 0, string.Join("\n", failures));
            Assert.Equal(expected - 1, compared);
        }
        finally
        {
            await ExecuteAsync(source, "SELECT pg_drop_replication_slot('rowjson_slot')");
        }
    }

    [Fact]
    public void Strings_are_escaped_like_escape_json()
    {
        var json = new StringBuilder();
        RowJson.AppendString(json, "a\"b\\c\b\f\n\r\t\u0001\u001f\u007f é😀/<");
        Assert.Equal("\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\u007f é😀/<\"", json.ToString());
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("-0", true)]
    [InlineData("1.5e+300", true)]
    [InlineData("1E-7", true)]
    [InlineData("NaN", false)]
    [InlineData("Infinity", false)]
    [InlineData("-Infinity", false)]
    [InlineData("01", false)]
    [InlineData(".5", false)]
    [InlineData("1.", false)]
    [InlineData("+1", false)]
    [InlineData("1e", false)]
    [InlineData("", false)]
    public void Numbers_are_verbatim_only_when_they_are_valid_json(string text, bool valid)
        => Assert.Equal(valid, RowJson.IsJsonNumber(text));

    [Theory]
    [InlineData("2026-01-01 00:00:00", "TimestampTz")]
    [InlineData("01/01/2026 00:00:00 UTC", "TimestampTz")]
    [InlineData("Thu Jan 01 00:00:00 2026 UTC", "TimestampTz")]
    [InlineData("2026-01-01 00:00:00+00 AD", "TimestampTz")]
    [InlineData("2026-01-01 00:00:00.1234567+00", "TimestampTz")]
    [InlineData("2026-01-01T00:00:00", "Timestamp")]
    [InlineData("01/01/2026", "Date")]
    [InlineData("yes", "Bool")]
    public void Text_not_in_the_iso_form_is_declined(string text, string kind)
        => Assert.False(RowJson.TryAppend(new StringBuilder(), text, Enum.Parse<PgJsonKind>(kind), false));

    private static string CultureFormat(FormattableString text) => FormattableString.Invariant(text);

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<string?> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return await command.ExecuteScalarAsync(Ct) as string;
    }

    private static async Task<OutputSettings> QuerySettingsAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('extra_float_digits')");
        await using var reader = await command.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return new OutputSettings(reader.GetString(0), reader.GetString(1), reader.GetString(2));
    }

    private static async Task<Dictionary<uint, uint>> BaseTypesAsync(NpgsqlDataSource db)
    {
        var result = new Dictionary<uint, uint>();
        await using var command = db.CreateCommand("SELECT oid::bigint, (CASE WHEN typtype = 'd' THEN typbasetype ELSE oid END)::bigint FROM pg_type");
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            result[(uint)reader.GetInt64(0)] = (uint)reader.GetInt64(1);
        }

        return result;
    }

    private sealed class CollectingHandler(int expected) : ICaptureHandler
    {
        private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<CapturedChange> Changes { get; } = [];

        public OutputSettings? Settings { get; private set; }

        public Task Complete => _complete.Task;

        public int PendingTransactions => 0;

        public Task HandleTransactionAsync(TransactionSpool changes, long commitLsn, long endLsn, CancellationToken cancellationToken)
        {
            Changes.AddRange(changes.Replay());
            if (Changes.Count >= expected)
            {
                _complete.TrySetResult();
            }

            return Task.CompletedTask;
        }

        public void OnTruncate(IReadOnlyList<TableName> tables, long lsn)
        {
        }

        public void OnProgress(long walEnd)
        {
        }

        public void OnStreamStarted(OutputSettings? settings) => Settings = settings;

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task BeginFlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task AbortAsync() => Task.CompletedTask;
    }
}
