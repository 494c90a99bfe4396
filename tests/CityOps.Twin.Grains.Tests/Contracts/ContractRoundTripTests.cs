using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Grains.Tests.Contracts;

public sealed class ContractRoundTripTests
{
    // Records holding lists compare those lists by reference, so values are compared by their JSON: every public
    // member, list items in order, NaN and offsets as written, Chinese text unescaped so a failure reads.
    private static readonly JsonSerializerOptions Comparison = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static TheoryData<string> SampleTypes => [.. ContractSamples.ByType.Keys.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(SampleTypes))]
    public void A_contract_value_comes_back_from_Orleans_serialization_equal_to_what_was_sent(string typeName)
    {
        var (declared, sample) = ContractSamples.ByType.Single(s => s.Key.Name == typeName);

        var back = ContractSerialization.RoundTrip(declared, sample);

        Assert.NotNull(back);
        Assert.Equal(sample.GetType(), back.GetType());
        Assert.Equal(JsonSerializer.Serialize(sample, declared, Comparison), JsonSerializer.Serialize(back, declared, Comparison));
    }

    [Fact]
    public void A_value_sent_as_object_comes_back_as_its_own_type_by_its_alias()
    {
        foreach (var sample in ContractSamples.ByType.Values)
        {
            var back = ContractSerialization.RoundTrip<object>(sample);

            Assert.NotNull(back);
            Assert.Equal(sample.GetType(), back.GetType());
        }
    }

    [Fact]
    public void Lists_returned_by_a_grain_come_back_with_their_items_whatever_list_built_them()
    {
        var sample = (CaseRecord)ContractSamples.ByType[typeof(CaseRecord)];
        IReadOnlyList<CaseRecord> fromExpression = [sample, sample with { CaseId = "C-20261130-0002", Timeline = [] }];

        var back = ContractSerialization.RoundTrip(fromExpression);

        Assert.NotNull(back);
        Assert.Equal(["H-20261130-0001", "C-20261130-0002"], back.Select(c => c.CaseId));
        Assert.Equal(sample.Timeline.Select(e => e.What), back[0].Timeline.Select(e => e.What));
        Assert.Empty(back[1].Timeline);
    }

    [Fact]
    public void A_refused_case_step_reaches_the_caller_as_itself_with_the_steps_allowed()
    {
        var thrown = new CaseTransitionException("H-20261130-0001", CaseStatus.Feedback, CaseAction.Evaluate, CaseLifecycle.AllowedFrom(CaseStatus.Feedback));

        var back = Assert.IsType<CaseTransitionException>(ContractSerialization.RoundTrip<Exception>(thrown));

        Assert.Equal(thrown.Message, back.Message);
        Assert.Equal("H-20261130-0001", back.CaseId);
        Assert.Equal(CaseStatus.Feedback, back.Status);
        Assert.Equal(CaseAction.Evaluate, back.Action);
        Assert.Equal([CaseAction.PassCheck, CaseAction.FailCheck], back.Allowed);
    }

    [Fact]
    public void A_step_on_a_finished_case_reaches_the_caller_saying_no_step_is_allowed()
    {
        var thrown = new CaseTransitionException("C-20261130-0009", CaseStatus.Evaluated, CaseAction.Dispatch, CaseLifecycle.AllowedFrom(CaseStatus.Evaluated));

        var back = Assert.IsType<CaseTransitionException>(ContractSerialization.RoundTrip<Exception>(thrown));

        Assert.Empty(back.Allowed);
        Assert.Contains("none (the case is finished)", back.Message);
    }

    [Fact]
    public void Input_and_mode_switch_refusals_reach_the_caller_as_themselves_with_their_message()
    {
        Exception[] thrown =
        [
            new CaseInputException("派遣需要处置队伍 (a dispatch needs a team)."),
            new ModeSwitchException("Mode switch refused: '310999' is not a district of the city."),
        ];

        foreach (var exception in thrown)
        {
            var back = ContractSerialization.RoundTrip(exception);

            Assert.NotNull(back);
            Assert.Equal(exception.GetType(), back.GetType());
            Assert.Equal(exception.Message, back.Message);
        }
    }

    [Fact]
    public void A_change_that_was_not_made_durable_reaches_the_caller_as_itself_with_its_cause()
    {
        var thrown = new TwinNotDurableException("案件 H-20261130-0001 未能保存：数据库不可达。The step was not taken; try again.", new TimeoutException("database is locked"));

        var back = Assert.IsType<TwinNotDurableException>(ContractSerialization.RoundTrip<Exception>(thrown));

        Assert.Equal(thrown.Message, back.Message);
        var cause = Assert.IsType<TimeoutException>(back.InnerException);
        Assert.Equal("database is locked", cause.Message);
    }

    [Fact]
    public void A_thrown_exception_keeps_its_stack_trace_across_the_call()
    {
        Exception thrown;
        try
        {
            throw new CaseInputException("Category '9999' is not in the catalogue.");
        }
        catch (CaseInputException exception)
        {
            thrown = exception;
        }

        var back = ContractSerialization.RoundTrip(thrown);

        Assert.NotNull(back);
        Assert.Contains(nameof(A_thrown_exception_keeps_its_stack_trace_across_the_call), back.StackTrace);
    }
}
