using ReJot.Schemas.Generator.Json;
using ReJot.Schemas.Generator.Model;
using ReJot.Schemas.Generator.Parsing;

namespace ReJot.Schemas.Generator.Emitting;

/// <summary>Emits the <c>JsonSchema</c> constant into a partial public schema type.</summary>
internal static class ContractEmitter
{
    public static string Emit(PublicSchemaSpec schema, PartialTypeSpec type, bool nullableDirective)
    {
        var writer = GeneratedCode.Header(nullableDirective);
        if (type.Namespace.Length > 0)
        {
            writer.OpenBlock("namespace " + type.Namespace);
        }

        foreach (var declaration in type.Declarations)
        {
            writer.OpenBlock(declaration);
        }

        var json = JsonWriter.Write(ManifestJson.OutputSchema(schema.Contract), indented: false);
        writer.WriteLine("/// <summary>The JSON Schema (draft-07) of the ReJot public schema <c>" + Escape(schema.Name) + "</c> v"
                + schema.Major.ToString(System.Globalization.CultureInfo.InvariantCulture) + "."
                + schema.Minor.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".</summary>")
            .WriteLine(GeneratedCode.Attribute)
            .WriteLine("public const string " + PublicSchemaParser.JsonSchemaMemberName + " = " + GeneratedCode.Literal(json) + ";");

        foreach (var unused in type.Declarations)
        {
            writer.CloseBlock();
        }

        if (type.Namespace.Length > 0)
        {
            writer.CloseBlock();
        }

        return writer.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
