using System.Reflection;

namespace CityOps.Twin.Grains.Tests.Contracts;

public sealed class ContractCoverageTests
{
    [Fact]
    public void Every_contract_type_a_grain_call_stream_or_grain_exception_reaches_is_serializable_by_Orleans()
    {
        var missing = ContractTypes.Reached()
            .Where(r => !ContractTypes.IsSerializable(r.Key))
            .Select(r => $"{r.Key.FullName} (reached from {r.Value}) lacks [GenerateSerializer]");

        Assert.Empty(missing);
    }

    [Fact]
    public void A_grain_call_reaches_no_type_but_contract_types_and_those_Orleans_serializes_itself()
    {
        var foreign = ContractTypes.Foreign()
            .Select(f => $"{f.Key} (reached from {f.Value}) is neither a contract type nor a known primitive or collection");

        Assert.Empty(foreign);
    }

    [Fact]
    public void The_walk_reaches_the_grain_interfaces_and_their_messages()
    {
        var reached = ContractTypes.Reached().Keys.Select(t => t.Name).ToHashSet();

        Assert.True(ContractTypes.GrainInterfaces.Count() >= 8, "the grain interfaces of contracts were not found");
        Assert.Superset(new HashSet<string> { "CaseRecord", "CaseTimelineEntry", "GeoPoint", "SensorSnapshot", "SensorThresholds", "VitalSigns", "Contributor", "ModeChange" }, reached);
    }

    [Fact]
    public void Every_field_and_auto_property_of_a_serializable_contract_type_carries_a_distinct_id()
    {
        var problems = new List<string>();
        foreach (var type in ContractTypes.Assembly.GetTypes().Where(t => ContractTypes.IsSerializable(t) && !t.IsEnum))
        {
            const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            var backed = type.GetFields(Declared).Select(f => f.Name).ToHashSet();
            var serialized = ContractTypes.SerializedMembers(type).ToList();
            var named = serialized.Select(m => m.Name).ToHashSet();
            problems.AddRange(type.GetProperties(Declared)
                .Where(p => backed.Contains($"<{p.Name}>k__BackingField") && !named.Contains(p.Name))
                .Select(p => $"{type.Name}.{p.Name} has no [Id]"));
            problems.AddRange(serialized.GroupBy(m => m.Id).Where(g => g.Count() > 1)
                .Select(g => $"{type.Name} gives id {g.Key} to {string.Join(" and ", g.Select(m => m.Name))}"));
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Only_types_that_cross_a_grain_call_carry_Orleans_serialization()
    {
        var reached = ContractTypes.Reached();
        var stray = ContractTypes.Assembly.GetTypes()
            .Where(t => ContractTypes.IsSerializable(t) && !reached.ContainsKey(t))
            .Select(t => $"{t.FullName} is marked for Orleans but no grain call, stream or grain exception reaches it");

        Assert.Empty(stray);
    }

    [Fact]
    public void Every_exception_of_contracts_is_either_one_grains_throw_and_serializable_or_one_only_services_throw()
    {
        var undecided = ContractTypes.Assembly.GetTypes()
            .Where(t => typeof(Exception).IsAssignableFrom(t))
            .Where(t => !(ContractTypes.GrainExceptions.Contains(t) && ContractTypes.IsSerializable(t)) && !ContractTypes.InProcessExceptions.Contains(t))
            .Select(t => $"{t.FullName}: a grain exception needs [GenerateSerializer]; an in-process one belongs in InProcessExceptions");

        Assert.Empty(undecided);
    }
}
