using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("ReJot.Testing.Tests")]
