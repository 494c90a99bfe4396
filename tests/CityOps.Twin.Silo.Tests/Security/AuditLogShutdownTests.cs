using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Security;
using Microsoft.Extensions.Logging.Abstractions;

namespace CityOps.Twin.Silo.Tests.Security;

/// <summary>
/// A host stops its audit log and its container disposes it; a test host (WebApplicationFactory) was seen to do
/// the second first, and the stop threw ObjectDisposedException. Every order must stop quietly and still write
/// the lines that waited for the database.
/// </summary>
public sealed class AuditLogShutdownTests
{
    public enum Order { StopThenDispose, DisposeThenStop, DisposeAsyncThenStop, StopThenDisposeAsync, AtOnce }

    [Theory]
    [InlineData(Order.StopThenDispose)]
    [InlineData(Order.DisposeThenStop)]
    [InlineData(Order.DisposeAsyncThenStop)]
    [InlineData(Order.StopThenDisposeAsync)]
    [InlineData(Order.AtOnce)]
    public async Task Stopping_and_disposing_in_any_order_does_not_throw_and_writes_what_waited(Order order)
    {
        var store = new FlakyStore { Down = true };
        var log = new AuditLog(store, TimeProvider.System, NullLogger<AuditLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        await log.AppendAsync(new AuditRecord("值班长", "Operator", "api", "127.0.0.1", "case.Register", "C-1", "ok"));
        Assert.Equal(1, log.Pending);
        store.Down = false;

        switch (order)
        {
            case Order.StopThenDispose:
                await log.StopAsync(CancellationToken.None);
                log.Dispose();
                break;
            case Order.DisposeThenStop:
                log.Dispose();
                await log.StopAsync(CancellationToken.None);
                break;
            case Order.DisposeAsyncThenStop:
                await log.DisposeAsync();
                await log.StopAsync(CancellationToken.None);
                break;
            case Order.StopThenDisposeAsync:
                await log.StopAsync(CancellationToken.None);
                await log.DisposeAsync();
                break;
            case Order.AtOnce:
                await Task.WhenAll(log.StopAsync(CancellationToken.None), log.DisposeAsync().AsTask(), Task.Run(log.Dispose));
                break;
        }

        Assert.Equal(0, log.Pending);
        var written = await store.ReadAuditAsync(new AuditQuery());
        Assert.Equal("C-1", Assert.Single(written).Record.Target);
    }

    /// <summary>The in-memory store, refusing audit lines while <see cref="Down"/> as a database that cannot be reached would.</summary>
    private sealed class FlakyStore : ISecurityStore
    {
        private readonly MemorySecurityStore _inner = new();

        public volatile bool Down;

        public Task AppendAuditAsync(IReadOnlyList<(DateTimeOffset At, AuditRecord Record)> lines) =>
            Down ? throw new InvalidOperationException("the database cannot be reached") : _inner.AppendAuditAsync(lines);

        public Task InitializeAsync(CancellationToken cancellationToken) => _inner.InitializeAsync(cancellationToken);
        public Task<StoredUser?> FindUserAsync(string name) => _inner.FindUserAsync(name);
        public Task<IReadOnlyList<StoredUser>> ListUsersAsync() => _inner.ListUsersAsync();
        public Task<bool> AddUserAsync(StoredUser user) => _inner.AddUserAsync(user);
        public Task UpdateUserAsync(StoredUser user) => _inner.UpdateUserAsync(user);
        public Task AddKeyAsync(StoredKey key) => _inner.AddKeyAsync(key);
        public Task<StoredKey?> FindKeyByHashAsync(string secretHash) => _inner.FindKeyByHashAsync(secretHash);
        public Task<IReadOnlyList<StoredKey>> ListKeysAsync() => _inner.ListKeysAsync();
        public Task<bool> RevokeKeyAsync(string id, DateTimeOffset at, string by) => _inner.RevokeKeyAsync(id, at, by);
        public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(AuditQuery query) => _inner.ReadAuditAsync(query);
    }
}
