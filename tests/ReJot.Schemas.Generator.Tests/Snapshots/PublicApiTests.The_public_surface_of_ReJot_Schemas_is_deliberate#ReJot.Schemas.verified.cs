namespace ReJot.Schemas
{
    [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Struct, AllowMultiple=false, Inherited=false)]
    public sealed class ConsumerSchemaAttribute : System.Attribute
    {
        public ConsumerSchemaAttribute(string name) { }
        public string Destination { get; set; }
        public string Name { get; }
    }
    [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Struct, AllowMultiple=false, Inherited=false)]
    public sealed class ConsumerSchemaAttribute<TContract> : System.Attribute
        where TContract :  notnull
    {
        public ConsumerSchemaAttribute(string name) { }
        public string Destination { get; set; }
        public string Name { get; }
    }
    [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Struct, AllowMultiple=false, Inherited=false)]
    public sealed class ConsumesAttribute : System.Attribute
    {
        public ConsumesAttribute(string manifestSlug, string publicSchema) { }
        public int Major { get; set; }
        public string ManifestSlug { get; }
        public string PublicSchema { get; }
    }
    [System.AttributeUsage(System.AttributeTargets.Field, AllowMultiple=false, Inherited=false)]
    public sealed class DeleteSqlAttribute : System.Attribute
    {
        public DeleteSqlAttribute() { }
    }
    public sealed class GeneratedManifest
    {
        public GeneratedManifest(string assemblyName, string manifestSlug, string json) { }
        public string AssemblyName { get; }
        public string Json { get; }
        public string ManifestSlug { get; }
        public override string ToString() { }
    }
    public static class GeneratedManifests
    {
        public static System.Collections.Generic.IReadOnlyList<ReJot.Schemas.GeneratedManifest> All { get; }
        public static void Register(ReJot.Schemas.GeneratedManifest manifest) { }
    }
    [System.AttributeUsage(System.AttributeTargets.Property, AllowMultiple=false, Inherited=false)]
    public sealed class KeyAttribute : System.Attribute
    {
        public KeyAttribute() { }
    }
    public enum Operation
    {
        Insert = 0,
        Update = 1,
        InsertOrUpdate = 2,
        Delete = 3,
    }
    [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Struct, AllowMultiple=false, Inherited=false)]
    public sealed class PublicSchemaAttribute : System.Attribute
    {
        public PublicSchemaAttribute(string name) { }
        public int Major { get; set; }
        public int Minor { get; set; }
        public string Name { get; }
        public string Source { get; set; }
    }
    [System.AttributeUsage(System.AttributeTargets.Assembly, AllowMultiple=false, Inherited=false)]
    public sealed class ReJotManifestAttribute : System.Attribute
    {
        public ReJotManifestAttribute(string slug) { }
        public string Slug { get; }
    }
    [System.AttributeUsage(System.AttributeTargets.Class | System.AttributeTargets.Struct, AllowMultiple=true, Inherited=false)]
    public sealed class TransformationAttribute : System.Attribute
    {
        public TransformationAttribute(ReJot.Schemas.Operation operation, string table, [System.Diagnostics.CodeAnalysis.StringSyntax("PostgreSQL")] string sql) { }
        public ReJot.Schemas.Operation Operation { get; }
        public string Sql { get; }
        public string Table { get; }
    }
    [System.AttributeUsage(System.AttributeTargets.Field, AllowMultiple=false, Inherited=false)]
    public sealed class UpsertSqlAttribute : System.Attribute
    {
        public UpsertSqlAttribute() { }
    }
}