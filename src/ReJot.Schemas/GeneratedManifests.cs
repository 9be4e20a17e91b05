namespace ReJot.Schemas;

/// <summary>
/// The registry of generated manifest fragments. Every assembly that declares ReJot schemas registers its
/// fragment from a generated module initializer, so the runtime finds them without reflection.
/// </summary>
public static class GeneratedManifests
{
    private static readonly object s_gate = new();
    private static GeneratedManifest[] s_all = [];

    /// <summary>Registers an assembly's manifest fragment. Called by generated code.</summary>
    /// <param name="manifest">The fragment. A later registration for the same assembly replaces the earlier one.</param>
    public static void Register(GeneratedManifest manifest)
    {
        if (manifest is null)
        {
            throw new ArgumentNullException(nameof(manifest));
        }

        lock (s_gate)
        {
            var next = new List<GeneratedManifest>(s_all.Length + 1);
            foreach (var existing in s_all)
            {
                if (!string.Equals(existing.AssemblyName, manifest.AssemblyName, StringComparison.Ordinal))
                {
                    next.Add(existing);
                }
            }

            next.Add(manifest);
            // Readers get a stable snapshot without locking.
            Volatile.Write(ref s_all, next.ToArray());
        }
    }

    /// <summary>
    /// The fragments registered so far, in registration order. An assembly's module initializer runs before
    /// any of its code does, so reference a type of each schema assembly before reading this.
    /// </summary>
    public static IReadOnlyList<GeneratedManifest> All => Volatile.Read(ref s_all);
}
