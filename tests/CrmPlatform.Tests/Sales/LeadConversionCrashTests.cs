using System.Net;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Leads;
using CrmPlatform.Sales.Leads.Conversion;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static CrmPlatform.Tests.Sales.LeadConversionTestData;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// A conversion completes exactly once however its services and the broker stop in between its steps: Sales stopped
/// with the request still in its outbox; Contacts, then Sales, stopped in the middle of their step (their transaction
/// held at a table lock, their database session killed, the host stopped) while RabbitMQ is restarted; and every
/// message delivered a second time. Counted afterwards: people with the lead's email, opportunities of the lead,
/// LeadConverted events. Contacts and Sales run in this process on a broker of this class's own.
/// </summary>
public sealed class LeadConversionCrashTests : IAsyncLifetime
{
    private PrivateBroker _broker = null!;
    private IdentityServer _identity = null!;
    private Dictionary<string, string> _contactsSettings = null!;
    private Dictionary<string, string> _salesSettings = null!;
    private ServiceFactory<ContactsDbContext> _contacts = null!;
    private ServiceFactory<SalesDbContext> _sales = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestServers.StartPrivateRabbitMqAsync("conversion-crash");
        var servers = await TestServers.GetAsync();
        _identity = await IdentityServer.StartAsync(_broker.ConnectionString);
        _token = await _identity.AdminTokenAsync();
        async Task<Dictionary<string, string>> Settings(string database) => new()
        {
            [$"ConnectionStrings:{database}"] = await servers.CreateDatabaseAsync(database),
            ["ConnectionStrings:messaging"] = _broker.ConnectionString,
            ["services:identity:http:0"] = _identity.Address,
        };
        _contactsSettings = await Settings("contactsdb");
        _salesSettings = await Settings("salesdb");
        await Task.WhenAll(StartContactsAsync(), StartSalesAsync());
    }

    public async Task DisposeAsync()
    {
        await _contacts.DisposeAsync();
        await _sales.DisposeAsync();
        await _identity.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private Task StartContactsAsync() => Task.Run(() => (_contacts = new ServiceFactory<ContactsDbContext>(_contactsSettings)).Server);

    private Task StartSalesAsync() => Task.Run(() => (_sales = new ServiceFactory<SalesDbContext>(_salesSettings)).Server);

    private HttpClient SalesClient()
    {
        var client = _sales.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", _token);
        return client;
    }

    [Fact]
    public async Task Sales_stopped_with_the_request_in_its_outbox_and_the_broker_restarted_completes_once()
    {
        await _broker.StopAsync();
        var lead = await LeadAsync(_sales, company: $"Acme {Guid.NewGuid():N}");
        var accepted = await ConvertAsync(SalesClient(), lead.Id, waitSeconds: null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        var request = Assert.Single(await OutboxEventsAsync<SalesDbContext, LeadConversionRequested>(_sales, e => e.LeadId == lead.Id));
        Assert.True(await PlatformServices.QueryAsync(_sales, db => db.OutboxMessages.AnyAsync(m => m.EventId == request.EventId && m.PublishedAt == null)));

        await _sales.DisposeAsync();
        await _broker.StartAsync();
        await StartSalesAsync();

        await AssertConvertedOnceAsync(lead);
    }

    [Fact]
    public async Task Contacts_stopped_in_the_middle_of_its_step_while_the_broker_restarts_completes_once_after_its_restart()
    {
        var lead = await LeadAsync(_sales, company: $"Acme {Guid.NewGuid():N}");
        await using (var held = await HoldTableAsync(_contactsSettings["ConnectionStrings:contactsdb"], "people"))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await ConvertAsync(SalesClient(), lead.Id, waitSeconds: null)).Status);
            await held.WaitForBlockedWriterAsync();

            await _broker.StopAsync();
            await held.KillBlockedWritersWhileAsync(_contacts.DisposeAsync().AsTask());
        }
        // The step left nothing behind: no person, no answer, no inbox entry to skip the retry.
        var contactsDb = _contactsSettings["ConnectionStrings:contactsdb"];
        Assert.Equal(0L, await ScalarAsync(contactsDb, $"SELECT count(*) FROM people WHERE email = '{lead.Email!.ToLowerInvariant()}'"));
        Assert.Equal(0L, await ScalarAsync(contactsDb, "SELECT count(*) FROM inbox_messages WHERE consumer = 'lead-conversions'"));
        Assert.Equal(0L, await ScalarAsync(contactsDb, $"SELECT count(*) FROM outbox_messages WHERE event_type LIKE '%LeadContacts%' AND payload->>'leadId' = '{lead.Id}'"));
        Assert.Equal(LeadConversionStates.Requested, Assert.Single(await ConversionsAsync(_sales, lead.Id)).State);

        await _broker.StartAsync();
        await StartContactsAsync();

        await AssertConvertedOnceAsync(lead);
    }

    [Fact]
    public async Task Sales_stopped_in_the_middle_of_its_last_step_while_the_broker_restarts_completes_once_after_its_restart()
    {
        var lead = await LeadAsync(_sales, company: $"Acme {Guid.NewGuid():N}");
        await using (var held = await HoldTableAsync(_salesSettings["ConnectionStrings:salesdb"], "opportunities"))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await ConvertAsync(SalesClient(), lead.Id, waitSeconds: null)).Status);
            await held.WaitForBlockedWriterAsync();

            await _broker.StopAsync();
            await held.KillBlockedWritersWhileAsync(_sales.DisposeAsync().AsTask());
        }
        // Contacts' step is done; Sales' was undone whole: the lead as it was, no opportunity.
        Assert.Equal(1, await PeopleWithEmailAsync(_contacts, lead.Email!));
        var salesDb = _salesSettings["ConnectionStrings:salesdb"];
        Assert.Equal(LeadStatuses.Qualified, await ScalarAsync(salesDb, $"SELECT status FROM leads WHERE id = '{lead.Id}'"));
        Assert.Equal(0L, await ScalarAsync(salesDb, $"SELECT count(*) FROM opportunities o JOIN lead_conversions c ON c.opportunity_id = o.id WHERE c.lead_id = '{lead.Id}'"));
        Assert.Equal(LeadConversionStates.Requested, await ScalarAsync(salesDb, $"SELECT state FROM lead_conversions WHERE lead_id = '{lead.Id}'"));

        await _broker.StartAsync();
        await StartSalesAsync();

        await AssertConvertedOnceAsync(lead);
    }

    [Fact]
    public async Task Every_message_delivered_again_after_completion_changes_nothing()
    {
        var lead = await LeadAsync(_sales, company: $"Acme {Guid.NewGuid():N}");
        Assert.Equal("completed", (await ConvertAsync(SalesClient(), lead.Id)).Body.Str("state"));
        await AssertConvertedOnceAsync(lead);
        var request = Assert.Single(await OutboxEventsAsync<SalesDbContext, LeadConversionRequested>(_sales, e => e.LeadId == lead.Id));

        // As if Contacts had lost its inbox entry and Sales had not heard the broker confirm: the request goes out
        // again, Contacts resolves it again (finding the person it made) and answers again; Sales ignores that answer.
        await PlatformServices.QueryAsync(_contacts, db => db.InboxMessages
            .Where(m => m.MessageId == request.EventId).ExecuteDeleteAsync());
        await PlatformServices.QueryAsync(_sales, db => db.OutboxMessages
            .Where(m => m.EventId == request.EventId).ExecuteUpdateAsync(m => m.SetProperty(x => x.PublishedAt, (DateTime?)null)));
        var answers = await Eventually.ReturnsAsync(
            () => OutboxEventsAsync<ContactsDbContext, LeadContactsResolved>(_contacts, e => e.LeadId == lead.Id), a => a.Count == 2,
            "Contacts answers the repeated request", TimeSpan.FromSeconds(60));
        Assert.Equal([true, false], answers.Select(a => a.PersonCreated));
        Assert.Equal(answers[0].PersonId, answers[1].PersonId);
        await Eventually.TrueAsync(() => PlatformServices.QueryAsync(_sales,
            db => db.InboxMessages.AnyAsync(m => m.MessageId == answers[1].EventId)), "Sales consumes the second answer", TimeSpan.FromSeconds(60));

        await AssertConvertedOnceAsync(lead);
    }

    private async Task AssertConvertedOnceAsync(Lead lead)
    {
        var conversion = await Eventually.ReturnsAsync(async () => Assert.Single(await ConversionsAsync(_sales, lead.Id)),
            c => !c.IsRequested, "the conversion finishes", TimeSpan.FromSeconds(120));
        Assert.Equal(LeadConversionStates.Completed, conversion.State);
        var stored = await StoredLeadAsync(_sales, lead.Id);
        Assert.Equal((LeadStatuses.Converted, conversion.OpportunityId), (stored.Status, stored.ConvertedOpportunityId));
        Assert.Equal(1, await PeopleWithEmailAsync(_contacts, lead.Email!));
        Assert.Equal(1, await OrganizationsNamedAsync(_contacts, lead.Company!));
        Assert.Equal(1, await OpportunitiesOfAsync(_sales, lead.Id));
        Assert.Single(await OutboxEventsAsync<SalesDbContext, LeadConverted>(_sales, e => e.AggregateId == lead.Id));
        Assert.Single(await OutboxEventsAsync<SalesDbContext, OpportunityCreated>(_sales, e => e.AggregateId == conversion.OpportunityId));
        Assert.Single(await OutboxEventsAsync<ContactsDbContext, PersonCreated>(_contacts, e => e.AggregateId == conversion.PersonId));
    }

    /// <summary>Reads a stopped service's database directly (its DbContext went with its host).</summary>
    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task<HeldTable> HoldTableAsync(string connectionString, string table)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        // Reads go on, writes wait: the service gets into its step and stops at its first write to the table.
        await using (var command = new NpgsqlCommand($"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE", connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }
        return new HeldTable(connectionString, table, connection, transaction);
    }

    /// <summary>A table locked against writes by a transaction of the test's own, until disposed (rolled back).</summary>
    private sealed class HeldTable(string connectionString, string table, NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        private async Task<List<int>> BlockedWritersAsync()
        {
            await using var observer = new NpgsqlConnection(connectionString);
            await observer.OpenAsync();
            await using var command = new NpgsqlCommand(
                $"SELECT pid FROM pg_locks WHERE NOT granted AND relation = '{table}'::regclass AND pid <> {connection.ProcessID}", observer);
            List<int> pids = [];
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                pids.Add(reader.GetInt32(0));
            }
            return pids;
        }

        public Task WaitForBlockedWriterAsync() =>
            Eventually.TrueAsync(async () => (await BlockedWritersAsync()).Count > 0, $"a writer waits for {table}", TimeSpan.FromSeconds(60));

        /// <summary>
        /// Kills the database sessions of writers waiting for the table (their transactions abort, as when their
        /// process dies) until <paramref name="stopped"/> completes: a stopping host's retries would wait again.
        /// </summary>
        public async Task KillBlockedWritersWhileAsync(Task stopped)
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (!stopped.IsCompleted && DateTime.UtcNow < deadline)
            {
                foreach (var pid in await BlockedWritersAsync())
                {
                    await using var killer = new NpgsqlConnection(connectionString);
                    await killer.OpenAsync();
                    await using var kill = new NpgsqlCommand($"SELECT pg_terminate_backend({pid})", killer);
                    await kill.ExecuteScalarAsync();
                }
                await Task.WhenAny(stopped, Task.Delay(200));
            }
            await stopped;
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await connection.DisposeAsync();
        }
    }
}
