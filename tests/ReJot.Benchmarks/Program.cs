Console.WriteLine("ReJot benchmarks: no scenarios yet.");
