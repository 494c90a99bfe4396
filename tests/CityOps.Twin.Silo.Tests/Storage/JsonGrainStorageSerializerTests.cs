using CityOps.Twin.Silo.Storage;

namespace CityOps.Twin.Silo.Tests.Storage;

public sealed class JsonGrainStorageSerializerTests
{
    private readonly JsonGrainStorageSerializer _serializer = new(StorageTestJsonContext.Default);

    [Fact]
    public void A_state_in_the_context_round_trips()
    {
        var stored = _serializer.Serialize(new TallyState { Count = 3, Note = "雨量" });

        var read = _serializer.Deserialize<TallyState>(stored);

        Assert.Equal((3, "雨量"), (read.Count, read.Note));
    }

    [Fact]
    public void A_state_type_missing_from_the_context_is_refused_naming_the_type_and_the_context()
    {
        var refusal = Assert.Throws<NotSupportedException>(() => _serializer.Serialize(new UnlistedState { Value = 1 }));

        Assert.Contains(typeof(UnlistedState).FullName!, refusal.Message);
        Assert.Contains(nameof(StorageTestJsonContext), refusal.Message);
    }
}
