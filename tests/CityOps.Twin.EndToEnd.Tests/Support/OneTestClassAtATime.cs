// The browser tests hold the view to wall-clock promises (an alarm on screen within 2 s of its reading): the cluster
// tests' silos filing a city beside the live twin's tests on the same two cores would break those promises, so test
// classes of this project run one after another, never side by side.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
