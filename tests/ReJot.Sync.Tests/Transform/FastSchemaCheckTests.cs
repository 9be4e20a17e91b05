using NJsonSchema;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;
using ReJot.Sync.Transform;

namespace ReJot.Sync.Tests.Transform;

/// <summary>The quick check never accepts what NJsonSchema rejects, and accepts the usual valid objects.</summary>
public sealed class FastSchemaCheckTests
{
    private const string Bench = """
        {"type":"object","properties":{"id":{"type":"integer"},"name":{"type":["string","null"]},"amount":{"type":["number","null"]},
         "updated_at":{"type":["string","null"]}},"required":["id"],"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}
        """;

    // The shape the contract generator emits: formats, nested closed objects, arrays, dictionaries, nullables.
    private const string Generated = """
        {"$schema":"http://json-schema.org/draft-07/schema#","title":"Order","type":"object","additionalProperties":false,
         "required":["id","customerId","placedAt","lines","tags","address","attributes"],
         "properties":{
           "id":{"type":"string","format":"uuid"},
           "customerId":{"type":"integer","description":"the customer"},
           "placedAt":{"type":"string","format":"date-time"},
           "shippedOn":{"type":["string","null"],"format":"date"},
           "total":{"type":"number"},
           "lines":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["sku","qty"],
                    "properties":{"sku":{"type":"string"},"qty":{"type":"integer"},"note":{"type":["string","null"]}}}},
           "tags":{"type":"array","items":{"type":"string"}},
           "address":{"type":["object","null"],"additionalProperties":false,"required":["city"],"properties":{"city":{"type":"string"}}},
           "attributes":{"type":"object","additionalProperties":{"type":"string"}},
           "any":{},
           "flag":{"type":"boolean"}}}
        """;

    private const string ValidOrder = """
        {"id":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","customerId":42,"placedAt":"2026-01-01T00:00:00+00:00","shippedOn":null,"total":12.50,
         "lines":[{"sku":"x","qty":2,"note":null},{"sku":"y","qty":1}],"tags":["a","b"],"address":{"city":"Delft"},
         "attributes":{"color":"red"},"any":[1,{"x":null}],"flag":true}
        """;

    public static TheoryData<string, string, bool> Cases => new()
    {
        // schema, instance, accepted by the quick check
        { Bench, """{"id":1,"name":"n","amount":1.5,"updated_at":"2026-01-01T00:00:00+00:00"}""", true },
        { Bench, """{"id":9223372036854775807,"name":null,"amount":null,"updated_at":null}""", true },
        { Bench, """{"id":-9223372036854775808}""", true },
        { Bench, """{"id":9223372036854775808}""", false },
        { Bench, """{"id":1,"amount":123456789012345678901234567890.123456789}""", true },
        { Bench, """{"name":"n","id":1}""", true },
        { Bench, """{"id":1,"amount":"NaN"}""", false },
        { Bench, """{"id":1.0}""", false },
        { Bench, """{"id":1e3}""", false },
        { Bench, """{"id":-0}""", false },
        { Bench, """{"id":1,"amount":1e400}""", false },
        { Bench, """{"id":1,"amount":1e-300}""", true },
        { Bench, """{"id":null}""", false },
        { Bench, """{"name":"n"}""", false },
        { Bench, """{"id":1,"extra":2}""", false },
        { Bench, """{"id":1,"id":2}""", false },
        { Bench, """{"id":"1"}""", false },
        { Bench, """[{"id":1}]""", false },
        { Bench, """null""", false },
        { Bench, """{"id":1} x""", false },
        { Bench, """{"\u0069d":1}""", true },
        { Generated, ValidOrder, true },
        { Generated, ValidOrder.Replace("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "not-a-uuid", StringComparison.Ordinal), false },
        { Generated, ValidOrder.Replace("2026-01-01T00:00:00+00:00", "yesterday", StringComparison.Ordinal), false },
        { Generated, ValidOrder.Replace("\"shippedOn\":null", "\"shippedOn\":\"2026-13-45\"", StringComparison.Ordinal), false },
        { Generated, ValidOrder.Replace("\"shippedOn\":null", "\"shippedOn\":\"2026-02-01\"", StringComparison.Ordinal), true },
        { Generated, ValidOrder.Replace("\"qty\":1}", "\"qty\":\"1\"}", StringComparison.Ordinal), false },
        { Generated, ValidOrder.Replace("\"sku\":\"y\",", string.Empty, StringComparison.Ordinal), false },
        { Generated, ValidOrder.Replace("\"address\":{\"city\":\"Delft\"}", "\"address\":null", StringComparison.Ordinal), true },
        { Generated, ValidOrder.Replace("\"address\":{\"city\":\"Delft\"}", "\"address\":{}", StringComparison.Ordinal), false },
        { Generated, ValidOrder.Replace("\"color\":\"red\"", "\"color\":1", StringComparison.Ordinal), false },
        { Generated, ValidOrder.Replace("\"tags\":[\"a\",\"b\"]", "\"tags\":[\"a\",null]", StringComparison.Ordinal), false },
        { Generated, ValidOrder.Replace("\"flag\":true", "\"flag\":\"true\"", StringComparison.Ordinal), false },
        { """{"type":"object","properties":{"a":{"type":"string","minLength":2}}}""", """{"a":"x"}""", false },
        { """{"type":"object","properties":{"a":{"enum":["x"]}}}""", """{"a":"x"}""", false },
        { """{"type":"object","properties":{"a":{"$ref":"#/definitions/x"}},"definitions":{"x":{"type":"string"}}}""", """{"a":"x"}""", false },
        { """{"properties":{"a":{"type":"string"}},"required":["a"]}""", "\"s\"", false },
        { """{"type":["object","null"],"properties":{"a":{"type":"string"}},"required":["a"]}""", "null", true },
        { """{"type":"object","properties":{"a":{}},"required":["a"]}""", """{"a":null}""", true },
        { """{"type":"object","properties":{"a":{"type":"integer","format":"int64"}}}""", """{"a":1}""", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_quick_check_accepts_only_what_njsonschema_accepts(string schemaJson, string json, bool quick)
    {
        var check = FastSchemaCheck.TryCreate(schemaJson);
        var accepted = check?.IsCertainlyValid(json) == true;
        Assert.Equal(quick, accepted);
        if (accepted)
        {
            var schema = await JsonSchema.FromJsonAsync(schemaJson, TestContext.Current.CancellationToken);
            Assert.Empty(schema.Validate(json));
        }
    }

    [Fact]
    public void Its_format_table_is_njsonschemas_default()
    {
        Assert.Equal(
            new JsonSchemaValidatorSettings().FormatValidators.Select(v => v.Format).Distinct().Order(StringComparer.Ordinal),
            FastSchemaCheck.Formats.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("uuid", FastSchemaCheck.Formats.Keys);
        Assert.Contains("date-time", FastSchemaCheck.Formats.Keys);
    }
}
