[assembly: AssemblyFixture(typeof(ReJot.TestSupport.PostgresFixture))]
