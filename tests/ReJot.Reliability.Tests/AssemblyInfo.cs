// Fault tests crash whole PostgreSQL clusters and load both cores: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: AssemblyFixture(typeof(ReJot.TestSupport.PostgresFixture))]
