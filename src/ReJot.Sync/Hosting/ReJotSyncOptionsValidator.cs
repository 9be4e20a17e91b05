using Microsoft.Extensions.Options;

namespace ReJot.Sync.Hosting;

/// <summary>Validates <see cref="ReJotSyncOptions"/> (data annotations, generated at compile time).</summary>
[OptionsValidator]
internal sealed partial class ReJotSyncOptionsValidator : IValidateOptions<ReJotSyncOptions>;
