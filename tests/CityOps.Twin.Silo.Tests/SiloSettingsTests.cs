using CityOps.Twin.Silo.Hosting;
using Microsoft.Extensions.Configuration;

namespace CityOps.Twin.Silo.Tests;

public sealed class SiloSettingsTests
{
    private static SiloSettings Parse(params string[] args) => SiloSettings.From(new ConfigurationBuilder().AddCommandLine(args).Build());

    [Fact]
    public void Without_options_the_silo_keeps_its_state_in_a_SQLite_file_under_data()
    {
        var settings = Parse();

        Assert.Equal(StorageKind.Sqlite, settings.Storage);
        Assert.Equal(Path.GetFullPath(Path.Combine("data", SiloSettings.DatabaseFileName)), settings.SqlitePath);
    }

    [Fact]
    public void Data_names_the_folder_of_the_SQLite_file()
    {
        Assert.Equal(Path.GetFullPath("/srv/twin-b/cityops-twin.db"), Parse("--data", "/srv/twin-b").SqlitePath);
    }

    [Fact]
    public void Postgres_with_a_connection_string_is_accepted_and_described_without_its_password()
    {
        var settings = Parse("--storage", "postgres", "--connection", "Host=db;Username=twin;Password=s3cret;Database=twin");

        Assert.Equal(StorageKind.Postgres, settings.Storage);
        Assert.DoesNotContain("s3cret", settings.Describe());
        Assert.Contains("Host=db", settings.Describe());
    }

    [Theory]
    [InlineData(new[] { "--storage", "oracle" }, "--storage 'oracle' is not a storage")]
    [InlineData(new[] { "--storage", "42" }, "--storage '42' is not a storage")]
    [InlineData(new[] { "--storage", "postgres" }, "--storage postgres needs --connection")]
    [InlineData(new[] { "--connection", "Host=db" }, "--connection is only for --storage postgres")]
    [InlineData(new[] { "--city", "/nowhere/city.json" }, "--city '/nowhere/city.json' is not a file")]
    public void A_bad_storage_choice_is_refused_with_what_was_wrong(string[] args, string message)
    {
        var error = Assert.Throws<SiloSettingsException>(() => Parse(args));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void The_grid_tolerance_is_a_few_metres_unless_set_and_a_bad_one_is_refused_with_what_is_allowed()
    {
        Assert.Equal(2, Parse().GridToleranceMeters);
        Assert.Equal(5, Parse("--City:GridToleranceMeters", "5").GridToleranceMeters);
        foreach (var bad in new[] { "300", "-1", "abc", "NaN" })
        {
            var error = Assert.Throws<SiloSettingsException>(() => Parse("--City:GridToleranceMeters", bad));
            Assert.StartsWith($"--City:GridToleranceMeters '{bad}' is not a distance from 0 to 50 metres", error.Message);
        }
    }
}
