using System.CommandLine;

var root = new RootCommand("rejot: contract-based change data capture between services.");
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
