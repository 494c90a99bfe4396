using CityOps.Twin.Contracts.Cases;

namespace CityOps.Twin.Grains.Tests.Contracts;

public sealed class ContractCopyTests
{
    public static TheoryData<string> ImmutableReferenceTypes =>
        [.. ContractSamples.ByType.Keys.Where(t => !t.IsValueType && IsImmutable(t)).Select(t => t.Name)];

    private static bool IsImmutable(Type type) => type.IsDefined(typeof(Orleans.ImmutableAttribute), inherit: false);

    [Theory]
    [MemberData(nameof(ImmutableReferenceTypes))]
    public void An_immutable_contract_value_passes_a_grain_call_in_the_silo_by_reference(string typeName)
    {
        var sample = ContractSamples.ByType.Single(s => s.Key.Name == typeName).Value;

        Assert.Same(sample, ContractSerialization.Copy(sample));
    }

    [Fact]
    public void A_list_a_grain_returns_is_copied_but_the_immutable_records_in_it_are_shared()
    {
        var sample = (CaseRecord)ContractSamples.ByType[typeof(CaseRecord)];
        IReadOnlyList<CaseRecord> cases = new List<CaseRecord> { sample };

        var copy = ContractSerialization.Copy(cases);

        Assert.NotNull(copy);
        Assert.NotSame(cases, copy);
        Assert.Same(sample, Assert.Single(copy));
    }

    [Fact]
    public void An_exception_a_grain_throws_reaches_a_caller_in_the_same_silo_as_the_instance_thrown()
    {
        Assert.All(ContractSamples.Exceptions, thrown => Assert.Same(thrown, ContractSerialization.Copy(thrown)));
    }

    [Fact]
    public void Orleans_can_copy_every_contract_value_and_exception_a_call_within_a_silo_carries()
    {
        var notCopyable = new List<string>();
        foreach (var sample in ContractSamples.ByType.Values.Concat(ContractSamples.Exceptions))
        {
            try
            {
                ContractSerialization.Copy<object>(sample);
            }
            catch (Exception exception)
            {
                notCopyable.Add($"{sample.GetType().Name}: {exception.Message}");
            }
        }

        Assert.Empty(notCopyable);
    }
}
