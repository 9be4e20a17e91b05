using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using ReJot.Schemas;

// These types are compiled into the test assembly (for NJsonSchema, by reflection) AND fed to the generator
// as source (see CrossCheckSource), so both schema generators see the same C#.
namespace ReJot.Schemas.Generator.Tests.Contracts;

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum OrderStatus
{
    Open,
    Paid,
    Shipped,
}

public sealed record OrderLine(string Sku, int Quantity, decimal Price, string? Note);

public sealed record Money(decimal Amount, string Currency);

[PublicSchema("order", Source = "orders", Major = 2)]
[Transformation(Operation.InsertOrUpdate, "orders", """SELECT * FROM orders WHERE id = :id""")]
public sealed partial record Order(
    [property: Key] long Id,
    string Customer,
    string? Note,
    int? Priority,
    short Small,
    bool Paid,
    double Ratio,
    float Weight,
    decimal Total,
    Guid Reference,
    DateTime CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt,
    DateOnly Day,
    TimeOnly At,
    OrderStatus Status,
    IReadOnlyList<OrderLine> Lines,
    List<string> Labels,
    string[] Tags,
    Money? Discount,
    Money Price,
    [property: JsonPropertyName("ext_ref")] string ExternalReference,
    string URLValue)
{
    [JsonIgnore]
    public string Ignored => Customer + "!";
}

internal static class CrossCheckSource
{
    public static string Text() => File.ReadAllText(Path());

    private static string Path([CallerFilePath] string path = "") => path;
}
