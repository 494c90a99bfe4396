// Every test starts several silo processes on a machine of two cores: one test at a time, or they starve each other
// of the CPU that failure detection and the timings asserted here depend on.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
