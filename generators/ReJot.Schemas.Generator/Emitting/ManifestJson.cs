using ReJot.Schemas.Generator.Json;
using ReJot.Schemas.Generator.Model;

namespace ReJot.Schemas.Generator.Emitting;

/// <summary>Builds the manifest JSON (ReJot <c>manifestVersion: 0</c>) from the models.</summary>
internal static class ManifestJson
{
    public const string Draft07 = "http://json-schema.org/draft-07/schema#";

    /// <summary>The fragment the registry carries: slug, version 0, public and consumer schemas, no paths.</summary>
    public static JsonObject Fragment(ManifestSpec manifest)
    {
        var publicSchemas = new JsonArray();
        foreach (var schema in manifest.PublicSchemas)
        {
            publicSchemas.Add(PublicSchema(schema, definitionFile: null));
        }

        var consumerSchemas = new JsonArray();
        foreach (var consumer in manifest.ConsumerSchemas)
        {
            consumerSchemas.Add(ConsumerSchema(consumer, manifest.Slug, definitionFile: null));
        }

        return new JsonObject()
            .Set("slug", manifest.Slug)
            .Set("manifestVersion", JsonValue.Number(0))
            .Set("publicSchemas", publicSchemas)
            .Set("consumerSchemas", consumerSchemas);
    }

    public static JsonObject PublicSchema(PublicSchemaSpec schema, string? definitionFile)
    {
        var transformations = new JsonArray();
        foreach (var transformation in schema.Transformations)
        {
            if (transformation.Operation == TransformationOperation.InsertOrUpdate)
            {
                transformations.Add(Transformation("insert", transformation));
                transformations.Add(Transformation("update", transformation));
            }
            else
            {
                transformations.Add(Transformation(transformation.Operation == TransformationOperation.Insert ? "insert"
                    : transformation.Operation == TransformationOperation.Update ? "update" : "delete", transformation));
            }
        }

        var result = new JsonObject()
            .Set("name", schema.Name)
            .Set("source", new JsonObject().Set("dataStoreSlug", schema.Source))
            .Set("outputSchema", OutputSchema(schema.Contract))
            .Set("version", new JsonObject().Set("major", JsonValue.Number(schema.Major)).Set("minor", JsonValue.Number(schema.Minor)))
            .Set("config", new JsonObject().Set("publicSchemaType", "postgres").Set("transformations", transformations));

        var keys = new JsonArray();
        foreach (var field in schema.Contract.Fields)
        {
            if (field.IsKey)
            {
                keys.Add(new JsonString(field.JsonName));
            }
        }

        if (keys.Items.Count > 0)
        {
            result.Set("keys", keys);
        }

        if (definitionFile is not null)
        {
            result.Set("definitionFile", definitionFile);
        }

        return result;
    }

    public static JsonObject ConsumerSchema(ConsumerSchemaSpec consumer, string manifestSlug, string? definitionFile)
    {
        var config = new JsonObject()
            .Set("consumerSchemaType", "postgres")
            .Set("destinationDataStoreSlug", consumer.Destination)
            .Set("sql", consumer.Sql);
        if (consumer.DeleteSql is not null)
        {
            config.Set("deleteSql", consumer.DeleteSql);
        }

        var result = new JsonObject()
            .Set("name", consumer.Name)
            .Set("sourceManifestSlug", consumer.SourceManifestSlug ?? manifestSlug)
            .Set("publicSchema", new JsonObject().Set("name", consumer.PublicSchemaName).Set("majorVersion", JsonValue.Number(consumer.Major)))
            .Set("config", config);
        if (definitionFile is not null)
        {
            result.Set("definitionFile", definitionFile);
        }

        return result;
    }

    /// <summary>The contract's JSON Schema (draft-07), the way the original ReJot writes <c>outputSchema</c>.</summary>
    public static JsonObject OutputSchema(ContractShape contract)
    {
        var schema = Shape(contract);
        schema.Set("$schema", Draft07);
        return schema;
    }

    private static JsonObject Transformation(string operation, TransformationSpec transformation)
        => new JsonObject().Set("operation", operation).Set("table", transformation.Table).Set("sql", transformation.Sql);

    private static JsonObject Shape(ContractShape shape)
    {
        var result = new JsonObject();
        var type = shape.Kind switch
        {
            ShapeKind.String => "string",
            ShapeKind.Integer => "integer",
            ShapeKind.Number => "number",
            ShapeKind.Boolean => "boolean",
            ShapeKind.Array => "array",
            ShapeKind.Object or ShapeKind.Map => "object",
            _ => null,
        };

        if (type is not null)
        {
            result.Set("type", shape.Nullable ? new JsonArray().Add(new JsonString(type)).Add(new JsonString("null")) : new JsonString(type));
        }

        if (shape.Format.Length > 0)
        {
            result.Set("format", shape.Format);
        }

        if (shape.EnumValues.Length > 0)
        {
            var values = new JsonArray();
            foreach (var value in shape.EnumValues)
            {
                values.Add(new JsonString(value));
            }

            if (shape.Nullable)
            {
                values.Add(JsonValue.Null);
            }

            result.Set("enum", values);
        }

        if (shape.Kind == ShapeKind.Array && shape.Items is not null)
        {
            result.Set("items", Shape(shape.Items));
        }

        if (shape.Kind == ShapeKind.Map && shape.Items is not null)
        {
            result.Set("additionalProperties", Shape(shape.Items));
        }

        if (shape.Kind == ShapeKind.Object)
        {
            var properties = new JsonObject();
            var required = new JsonArray();
            foreach (var field in shape.Fields)
            {
                properties.Set(field.JsonName, Shape(field.Shape));
                if (field.Required)
                {
                    required.Add(new JsonString(field.JsonName));
                }
            }

            result.Set("properties", properties);
            if (required.Items.Count > 0)
            {
                result.Set("required", required);
            }

            result.Set("additionalProperties", JsonValue.False);
        }

        return result;
    }
}
