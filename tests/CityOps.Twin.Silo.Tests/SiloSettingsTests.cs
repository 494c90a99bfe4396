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

    [Fact]
    public void A_cluster_silo_over_postgres_takes_orleans_ports_unless_given_and_advertises_loopback()
    {
        var pg = new[] { "--storage", "postgres", "--connection", "Host=db;Username=twin;Database=twin" };

        var plain = Parse([.. pg, "--cluster", "shanghai"]).Cluster!;
        var given = Parse([.. pg, "--cluster", "shanghai", "--silo-port", "11112", "--gateway-port", "30002", "--advertise", "10.0.0.12"]).Cluster!;

        Assert.Equal(("shanghai", 11111, 30000, "127.0.0.1"), (plain.Id, plain.SiloPort, plain.GatewayPort, plain.Advertise.ToString()));
        Assert.Equal((11112, 30002, "10.0.0.12"), (given.SiloPort, given.GatewayPort, given.Advertise.ToString()));
        Assert.Null(Parse(pg).Cluster);
    }

    [Theory]
    [InlineData(new[] { "--cluster", "shanghai" }, "--cluster needs --storage postgres")]
    [InlineData(new[] { "--storage", "postgres", "--connection", "Host=db", "--cluster", "上海 city" }, "--cluster '上海 city' is not a cluster id")]
    [InlineData(new[] { "--storage", "postgres", "--connection", "Host=db", "--cluster", "c", "--silo-port", "70000" }, "--silo-port '70000' is not a TCP port")]
    [InlineData(new[] { "--storage", "postgres", "--connection", "Host=db", "--cluster", "c", "--gateway-port", "x" }, "--gateway-port 'x' is not a TCP port")]
    [InlineData(new[] { "--storage", "postgres", "--connection", "Host=db", "--cluster", "c", "--silo-port", "30000" }, "--silo-port and --gateway-port are both 30000")]
    [InlineData(new[] { "--storage", "postgres", "--connection", "Host=db", "--cluster", "c", "--advertise", "0.0.0.0" }, "--advertise '0.0.0.0' is not an address the other silos can reach")]
    [InlineData(new[] { "--storage", "postgres", "--connection", "Host=db", "--cluster", "c", "--advertise", "silo-1" }, "--advertise 'silo-1' is not an address")]
    public void A_bad_cluster_option_is_refused_saying_which_and_what_is_allowed(string[] args, string message)
    {
        var error = Assert.Throws<SiloSettingsException>(() => Parse(args));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
