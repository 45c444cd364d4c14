using CrmPlatform.Marketing.Attribution;
using CrmPlatform.Marketing.Bounces;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Templating;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>Wakes the campaign sender when a campaign is sent now (rather than at its next poll).</summary>
public sealed class CampaignSignal : WakeSignal;

/// <summary>
/// Sends campaigns, durably. When a campaign is due, its segment's current members are written as recipient rows (one
/// per person, unique) in the transaction that marks it sending. Then, batch by batch: recipients are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> for a lease (several instances share a campaign) and their Message-IDs recorded, the
/// consent gate decides each (skips are recorded with their reason), and the allowed ones are sent by up to
/// <see cref="CampaignSettings.Connections"/> workers at once, each over its own reused SMTP connection, one message
/// at a time, together at the campaign's rate; each message is marked sent right after the server accepted it.
/// <para>
/// A crash at any point resends nobody that was marked and skips nobody: unmarked claimed rows come back when the lease
/// ends. The message each worker has in flight (accepted by the server, not yet marked) is sent again: at-least-once,
/// by choice. At-most-once would have to mark it before sending, and a crash then loses that email silently with
/// nothing to show for it; a duplicate carries the same Message-ID (recorded before the first attempt), so mail
/// systems and people can recognise it, and the window is one database round trip per connection: a kill can leave at
/// most <see cref="CampaignSettings.Connections"/> second copies, one with a single connection. A host that is stopped
/// (not killed) lets every worker finish the message in hand and mark it, so an orderly restart sends no copy at all.
/// </para>
/// </summary>
public sealed partial class CampaignSender(
    IServiceScopeFactory scopes, MailServer server, IOptions<CampaignSettings> options, IOptions<BounceOptions> bounces, CampaignSignal signal,
    CampaignTokens tokens, OutboxSignal outbox, TimeProvider clock, ILogger<CampaignSender> logger) : BackgroundService
{
    private static readonly TimeSpan SmtpTimeout = TimeSpan.FromSeconds(30);
    private CampaignSettings Settings => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StartDueAsync(stoppingToken);
                await SendAllAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Sending campaigns failed; trying again shortly");
            }
            try
            {
                await signal.WaitAsync(Settings.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Scheduled campaigns whose time has come: their audience is fixed and they start sending.</summary>
    private async Task StartDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MarketingDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = clock.GetUtcNow().UtcDateTime;
            var campaign = await db.Campaigns
                .FromSql($"SELECT * FROM campaigns WHERE status = 'scheduled' AND scheduled_at <= {now} ORDER BY scheduled_at LIMIT 1 FOR UPDATE SKIP LOCKED")
                .IgnoreQueryFilters().SingleOrDefaultAsync(cancellationToken);
            if (campaign is null)
            {
                return;
            }
            scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = campaign.TenantId;
            // The members at this moment; a person who joins the segment later is not added to this campaign.
            var written = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO campaign_recipients (id, tenant_id, campaign_id, person_id, email, status, created_at)
                SELECT gen_random_uuid(), m.tenant_id, {campaign.Id}, m.person_id, c.email, 'pending', {now}
                FROM segment_memberships m
                LEFT JOIN directory_contacts c ON c.id = m.person_id AND c.tenant_id = m.tenant_id
                WHERE m.tenant_id = {campaign.TenantId} AND m.segment_id = {campaign.SegmentId} AND m.left_at IS NULL
                ON CONFLICT (campaign_id, person_id, enrolment_id) DO NOTHING
                """, cancellationToken);
            if (campaign.TimeZoneMode == TimeZoneModes.Recipient && campaign.LocalTime is { } local)
            {
                await SetRecipientDueTimesAsync(db, campaign, local, cancellationToken);
            }
            if (campaign.HasTest)
            {
                // A random test share, split evenly over the subjects (row n gets subject n mod k); the rest wait for the winner.
                var percent = campaign.TestPercent ?? 20;
                var subjects = campaign.TestSubjects.Count;
                await db.Database.ExecuteSqlAsync($"""
                    WITH ordered AS (
                        SELECT id, row_number() OVER (ORDER BY random()) - 1 AS n, count(*) OVER () AS total
                        FROM campaign_recipients WHERE campaign_id = {campaign.Id})
                    UPDATE campaign_recipients r
                    SET variant = CASE WHEN o.n < ceil(o.total * {percent} / 100.0) THEN (o.n % {subjects})::int END,
                        status = CASE WHEN o.n < ceil(o.total * {percent} / 100.0) THEN 'pending' ELSE 'held' END
                    FROM ordered o WHERE r.id = o.id
                    """, cancellationToken);
            }
            campaign.Status = CampaignStatuses.Sending;
            campaign.StartedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Campaign {CampaignId} started: {Recipients} recipients", campaign.Id, written);
        }
    }

    /// <summary>
    /// Each recipient's local time as an instant: in their country's zone (<see cref="LocalTimes.ForCountry"/>), else the
    /// tenant's. A recipient whose time has already passed when sending starts is due at once (sent now, not a day late:
    /// the campaign's content is usually about today).
    /// </summary>
    private async Task SetRecipientDueTimesAsync(MarketingDbContext db, Campaign campaign, DateTime local, CancellationToken cancellationToken)
    {
        var fallback = LocalTimes.ToUtc(local, Settings.TimeZoneOf(campaign.TenantId));
        await db.Database.ExecuteSqlAsync($"UPDATE campaign_recipients SET due_at = {fallback} WHERE campaign_id = {campaign.Id}", cancellationToken);
        var countries = await db.Database.SqlQuery<string>($"""
            SELECT DISTINCT c.country AS "Value" FROM campaign_recipients r
            JOIN directory_contacts c ON c.id = r.person_id AND c.tenant_id = r.tenant_id
            WHERE r.campaign_id = {campaign.Id} AND c.country IS NOT NULL
            """).ToListAsync(cancellationToken);
        foreach (var country in countries)
        {
            if (LocalTimes.ForCountry(country) is not { } zone)
            {
                continue;
            }
            var due = LocalTimes.ToUtc(local, zone);
            if (due == fallback)
            {
                continue;
            }
            await db.Database.ExecuteSqlAsync($"""
                UPDATE campaign_recipients r SET due_at = {due}
                FROM directory_contacts c
                WHERE r.campaign_id = {campaign.Id} AND c.id = r.person_id AND c.tenant_id = r.tenant_id AND c.country = {country}
                """, cancellationToken);
        }
    }

    private sealed record Sending(Guid Id, Guid TenantId);

    private async Task SendAllAsync(CancellationToken stoppingToken)
    {
        List<Sending> campaigns;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MarketingDbContext>();
            campaigns = await db.Campaigns.IgnoreQueryFilters().AsNoTracking()
                .Where(c => c.Status == CampaignStatuses.Sending).OrderBy(c => c.StartedAt)
                .Select(c => new Sending(c.Id, c.TenantId)).ToListAsync(stoppingToken);
        }
        // One slot per sending worker, each its own connection, kept across batches and campaigns of this pass.
        var connections = new SmtpClient?[Math.Max(1, Settings.Connections)];
        try
        {
            foreach (var campaign in campaigns)
            {
                await SendCampaignAsync(campaign, connections, stoppingToken);
            }
        }
        finally
        {
            await Task.WhenAll(connections.Select(DisconnectAsync));
        }
    }

    /// <summary>The parts of the template per language, parsed once per campaign and pass.</summary>
    private sealed class Prepared(Campaign campaign, EmailTemplate template)
    {
        // The workers of a batch ask at the same time.
        private readonly ConcurrentDictionary<string, ParsedParts> _parsed = new(StringComparer.OrdinalIgnoreCase);
        private readonly List<Fluid.IFluidTemplate> _testSubjects = campaign.TestSubjects.Select(TemplateRenderer.ParseOne).ToList();
        public Campaign Campaign => campaign;

        /// <summary>The parts in the person's language; an A/B test's subject replaces the template's in every language.</summary>
        public ParsedParts For(string? language, int? testVariant)
        {
            var variant = template.For(language);
            var parts = _parsed.GetOrAdd(variant.Language, _ => TemplateRenderer.Parse(variant));
            return testVariant is { } v && v < _testSubjects.Count ? parts with { Subject = _testSubjects[v] } : parts;
        }
    }

    private async Task SendCampaignAsync(Sending sending, SmtpClient?[] connections, CancellationToken stoppingToken)
    {
        var pace = new Pace();
        Prepared? prepared = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = sending.TenantId;
            var db = scope.ServiceProvider.GetRequiredService<MarketingDbContext>();
            var campaign = await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == sending.Id, stoppingToken);
            if (campaign.Status != CampaignStatuses.Sending)
            {
                return;
            }
            if (prepared is null)
            {
                var template = await db.EmailTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Id == campaign.TemplateId, stoppingToken);
                if (template is null)
                {
                    logger.LogWarning("Campaign {CampaignId}'s template {TemplateId} is gone; nothing sent", campaign.Id, campaign.TemplateId);
                    return;
                }
                prepared = new Prepared(campaign, template);
            }
            var rate = Math.Clamp(campaign.MessagesPerSecond ?? Settings.DefaultMessagesPerSecond, 1, Settings.MaxMessagesPerSecond);
            var batch = await ClaimAsync(db, campaign, Math.Min(Settings.BatchSize, Math.Max(rate * 2, 10)), stoppingToken);
            if (batch.Count == 0)
            {
                if (campaign.HasTest && campaign.WinnerVariant is null)
                {
                    await AdvanceTestAsync(db, campaign.Id, stoppingToken);
                    return;
                }
                await FinishIfDoneAsync(db, campaign.Id, stoppingToken);
                return;
            }

            var now = clock.GetUtcNow().UtcDateTime;
            var decisions = await ConsentGate.DecideAsync(db, campaign.Purpose, batch, now, stoppingToken);
            await RecordSkipsAsync(db, batch, decisions, stoppingToken);
            var serverAway = await SendBatchAsync(sending, prepared, batch.Where(r => decisions[r.Id].Allowed).ToList(), decisions, rate, pace, connections, stoppingToken);
            if (serverAway || stoppingToken.IsCancellationRequested)
            {
                // Claimed and not sent: released now rather than when the lease ends.
                await ReleaseAsync(db, batch.Where(r => r.Status == RecipientStatuses.Pending).Select(r => r.Id).ToList());
                if (serverAway)
                {
                    // The server is away: what is left waits for the next round.
                    await Task.Delay(Settings.PollInterval, stoppingToken);
                }
                return;
            }
        }
    }

    /// <summary>
    /// Sends a batch's allowed recipients on up to <see cref="CampaignSettings.Connections"/> connections at once, each
    /// worker with its own connection and database context, one message at a time: rendered, sent, marked, next. The
    /// pace is shared, so together they keep the campaign's rate. Each worker has at most one message accepted by the
    /// server and not yet marked, which is what a kill can leave to be sent again (see the class comment).
    /// </summary>
    /// <returns>Whether the server went away (the connection broke or refused the session).</returns>
    private async Task<bool> SendBatchAsync(Sending sending, Prepared prepared, List<CampaignRecipient> allowed, Dictionary<Guid, GateDecision> decisions,
        int rate, Pace pace, SmtpClient?[] connections, CancellationToken stoppingToken)
    {
        var queue = new ConcurrentQueue<CampaignRecipient>(allowed);
        var serverAway = false;
        async Task WorkAsync(int slot)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = sending.TenantId;
            var db = scope.ServiceProvider.GetRequiredService<MarketingDbContext>();
            while (!Volatile.Read(ref serverAway) && !stoppingToken.IsCancellationRequested && queue.TryDequeue(out var recipient))
            {
                try
                {
                    await pace.WaitAsync(rate, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: this one was not sent; it is released with the rest.
                    return;
                }
                connections[slot] = await SendOneAsync(db, prepared, recipient, decisions[recipient.Id], connections[slot]);
                if (connections[slot] is null && recipient.Status == RecipientStatuses.Pending)
                {
                    Volatile.Write(ref serverAway, true);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(connections.Length, allowed.Count)).Select(WorkAsync));
        return serverAway;
    }

    private async Task<List<CampaignRecipient>> ClaimAsync(MarketingDbContext db, Campaign campaign, int size, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + Settings.ClaimLease;
        var domain = Settings.MessageIdDomain;
        // One statement: the claim, the lease and the Message-IDs (kept from an earlier claim) commit together.
        return await db.CampaignRecipients.FromSql($"""
            UPDATE campaign_recipients SET claimed_until = {until}, message_id = COALESCE(message_id, replace(id::text, '-', '') || '@' || {domain})
            WHERE id IN (
                SELECT id FROM campaign_recipients
                WHERE campaign_id = {campaign.Id} AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < {now})
                  AND (due_at IS NULL OR due_at <= {now})
                ORDER BY id LIMIT {size} FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).IgnoreQueryFilters().AsNoTracking().ToListAsync(cancellationToken);
    }

    private static async Task RecordSkipsAsync(
        MarketingDbContext db, List<CampaignRecipient> batch, Dictionary<Guid, GateDecision> decisions, CancellationToken cancellationToken)
    {
        foreach (var group in batch.Where(r => !decisions[r.Id].Allowed).GroupBy(r => decisions[r.Id].Reason))
        {
            var ids = group.Select(r => r.Id).ToList();
            await db.CampaignRecipients.Where(r => ids.Contains(r.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RecipientStatuses.Skipped)
                .SetProperty(r => r.SkipReason, group.Key)
                .SetProperty(r => r.ClaimedUntil, (DateTime?)null), cancellationToken);
            foreach (var recipient in group)
            {
                recipient.Status = RecipientStatuses.Skipped;
            }
        }
    }

    private static Task ReleaseAsync(MarketingDbContext db, List<Guid> ids) =>
        ids.Count == 0 ? Task.CompletedTask : db.CampaignRecipients.Where(r => ids.Contains(r.Id) && r.Status == RecipientStatuses.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimedUntil, (DateTime?)null), CancellationToken.None);

    /// <summary>Sends one recipient's email and marks it; returns the connection to go on with (null when it broke).</summary>
    private async Task<SmtpClient?> SendOneAsync(MarketingDbContext db, Prepared prepared, CampaignRecipient recipient, GateDecision decision, SmtpClient? smtp)
    {
        MimeMessage message;
        try
        {
            message = await MessageAsync(prepared, recipient, decision);
        }
        catch (Exception ex) when (ex is TemplateRenderException or ParseException or FormatException)
        {
            await MarkAsync(db, recipient, RecipientStatuses.Failed, $"Rendering failed: {ex.Message}");
            return smtp;
        }
        try
        {
            // Not cancelled by the host stopping: the message in hand is finished and marked (see the class comment).
            smtp ??= await ConnectAsync(CancellationToken.None);
            await smtp.SendAsync(message, EnvelopeSender(prepared.Campaign, recipient), [.. message.To.Mailboxes], CancellationToken.None);
        }
        catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted && (int)ex.StatusCode >= 500)
        {
            await HardBounceAsync(db, prepared.Campaign, recipient, $"{(int)ex.StatusCode} {ex.Message}");
            return smtp;
        }
        catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted && (int)ex.StatusCode >= 400)
        {
            await SoftBounceAsync(db, recipient, $"{(int)ex.StatusCode} {ex.Message}");
            return smtp;
        }
        catch (Exception ex) when (ex is IOException or SmtpCommandException or SmtpProtocolException or System.Net.Sockets.SocketException or TimeoutException)
        {
            logger.LogWarning("Campaign {CampaignId}: the SMTP server failed ({Error}); the recipients left wait", prepared.Campaign.Id, ex.Message);
            smtp?.Dispose();
            return null;
        }
        if (prepared.Campaign.JourneyId is null)
        {
            // A segment campaign's touchpoints are written when it finishes: the mark is the one statement per message.
            await MarkAsync(db, recipient, RecipientStatuses.Sent, null);
        }
        else
        {
            // A journey campaign never finishes: its touchpoint is written with the mark, in the same statement.
            await Attributions.MarkJourneyEmailSentAsync(db, recipient.Id, clock.GetUtcNow().UtcDateTime);
            recipient.Status = RecipientStatuses.Sent;
        }
        return smtp;
    }

    /// <summary>
    /// MAIL FROM, where mail systems send their later DSNs: with a bounce domain, <c>bounces+token@domain</c>, the
    /// token naming this recipient (<see cref="CampaignTokens.CreateBounce"/>), so a report finds its recipient without
    /// parsing the free text of whatever the remote system returns, and nobody can report a bounce for an address they
    /// could guess; without one, the campaign's From as before.
    /// </summary>
    private MailboxAddress EnvelopeSender(Campaign campaign, CampaignRecipient recipient) => bounces.Value is { Enabled: true } bounce
        ? new MailboxAddress("", $"{bounce.LocalPart}+{tokens.CreateBounce(recipient.Id)}@{bounce.Domain}")
        : MailboxAddress.Parse(campaign.From);

    private async Task MarkAsync(MarketingDbContext db, CampaignRecipient recipient, string status, string? error)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.CampaignRecipients.Where(r => r.Id == recipient.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, status)
            .SetProperty(r => r.SentAt, status == RecipientStatuses.Sent ? now : null)
            .SetProperty(r => r.Error, error)
            .SetProperty(r => r.ClaimedUntil, (DateTime?)null), CancellationToken.None);
        recipient.Status = status;
    }

    /// <summary>
    /// The server refused the address for good (5xx at RCPT TO): the recipient is bounced and the address suppressed for
    /// every later campaign of the tenant, together, so neither is kept without the other.
    /// </summary>
    private async Task HardBounceAsync(MarketingDbContext db, Campaign campaign, CampaignRecipient recipient, string error)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        await db.CampaignRecipients.Where(r => r.Id == recipient.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, RecipientStatuses.Failed)
            .SetProperty(r => r.BouncedAt, now)
            .SetProperty(r => r.Error, Clip(error))
            .SetProperty(r => r.ClaimedUntil, (DateTime?)null), CancellationToken.None);
        // ON CONFLICT: an address already suppressed (for whatever reason) keeps its first reason.
        var note = error.Length > 500 ? error[..500] : error;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO suppressions (id, tenant_id, email, reason, campaign_id, note, created_at)
            VALUES ({Guid.CreateVersion7()}, {campaign.TenantId}, {Suppression.Normalize(recipient.Email!)}, {SuppressionReasons.HardBounce}, {campaign.Id}, {note}, {now})
            ON CONFLICT (tenant_id, email) DO NOTHING
            """, CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        recipient.Status = RecipientStatuses.Failed;
        logger.LogInformation("Campaign {CampaignId}: recipient {RecipientId} hard-bounced; the address is suppressed", campaign.Id, recipient.Id);
    }

    /// <summary>
    /// The server cannot take the recipient now (4xx at RCPT TO): tried again after the retry delay, up to the attempts
    /// allowed; then bounced, without suppression (the mailbox may well work next time).
    /// </summary>
    private async Task SoftBounceAsync(MarketingDbContext db, CampaignRecipient recipient, string error)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var attempts = recipient.Attempts + 1;
        var givenUp = attempts >= Math.Max(1, Settings.SoftBounceAttempts);
        await db.CampaignRecipients.Where(r => r.Id == recipient.Id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Attempts, attempts)
            .SetProperty(r => r.Status, givenUp ? RecipientStatuses.Failed : RecipientStatuses.Pending)
            .SetProperty(r => r.BouncedAt, givenUp ? now : null)
            .SetProperty(r => r.DueAt, givenUp ? recipient.DueAt : now + Settings.SoftBounceRetryDelay)
            .SetProperty(r => r.Error, Clip(error))
            .SetProperty(r => r.ClaimedUntil, (DateTime?)null), CancellationToken.None);
        recipient.Status = givenUp ? RecipientStatuses.Failed : RecipientStatuses.Pending;
    }

    private static string Clip(string value) => value.Length > 1000 ? value[..1000] : value;

    private async Task<MimeMessage> MessageAsync(Prepared prepared, CampaignRecipient recipient, GateDecision decision)
    {
        var campaign = prepared.Campaign;
        var unsubscribe = $"{Settings.PublicBaseUrl.TrimEnd('/')}{CampaignLinks.Unsubscribe}/{tokens.Create(CampaignTokens.Unsubscribe, campaign.Id, recipient.Id)}";
        var rendered = await TemplateRenderer.RenderAsync(prepared.For(decision.Language, recipient.Variant ?? campaign.WinnerVariant),
            new TemplateData(decision.FirstName, decision.LastName, recipient.Email, decision.Language, campaign.Name, unsubscribe));
        var message = new MimeMessage
        {
            MessageId = recipient.MessageId!,
            Date = clock.GetUtcNow(),
            Subject = rendered.Subject,
            Body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = Tracked(rendered.Html, campaign.Id, recipient.Id) }.ToMessageBody(),
        };
        message.From.Add(MailboxAddress.Parse(campaign.From));
        message.To.Add(MailboxAddress.Parse(recipient.Email!));
        // RFC 2369 and RFC 8058: the receiving client's unsubscribe button POSTs this URL with no cookie and no form.
        message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add("Precedence", "bulk");
        message.Headers.Add("X-Campaign-Id", campaign.Id.ToString());
        return message;
    }

    [GeneratedRegex("""href\s*=\s*"(https?://[^"]+)"|href\s*=\s*'(https?://[^']+)'""", RegexOptions.IgnoreCase)]
    private static partial Regex Links();

    /// <summary>The HTML with each web link through the click redirect (signed per recipient and URL) and the open pixel.</summary>
    private string Tracked(string html, Guid campaignId, Guid recipientId)
    {
        var baseUrl = Settings.PublicBaseUrl.TrimEnd('/');
        var linked = Links().Replace(html, match =>
        {
            var url = System.Net.WebUtility.HtmlDecode(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value);
            var click = $"{baseUrl}{CampaignLinks.Click}/{tokens.Create(CampaignTokens.Click, campaignId, recipientId, url)}?url={Uri.EscapeDataString(url)}";
            return $"href=\"{System.Net.WebUtility.HtmlEncode(click)}\"";
        });
        var pixel = $"<img src=\"{baseUrl}{CampaignLinks.Open}/{tokens.Create(CampaignTokens.Open, campaignId, recipientId)}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">";
        var end = linked.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return end >= 0 ? linked.Insert(end, pixel) : linked + pixel;
    }

    /// <summary>
    /// The test's recipients are all done: the wait starts; once it is over, the subject with the higher unique open (or
    /// click) rate among its sent recipients wins (ties: the first), and the held recipients become pending: they keep no
    /// variant of their own (so each subject's statistics are its test share's) and are sent the winner's subject.
    /// </summary>
    private async Task AdvanceTestAsync(MarketingDbContext db, Guid campaignId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var campaign = await db.Campaigns.FromSql($"SELECT * FROM campaigns WHERE id = {campaignId} FOR UPDATE").IgnoreQueryFilters().SingleAsync(cancellationToken);
        if (campaign.Status != CampaignStatuses.Sending || campaign.WinnerVariant is not null
            || await db.CampaignRecipients.AnyAsync(r => r.CampaignId == campaignId && r.Status == RecipientStatuses.Pending, cancellationToken))
        {
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (campaign.TestEndsAt is null)
        {
            campaign.TestEndsAt = now.AddSeconds(campaign.TestWaitSeconds ?? 3600);
        }
        else if (campaign.TestEndsAt <= now)
        {
            var byClicks = campaign.TestMetric == TestMetrics.Clicks;
            var results = await db.CampaignRecipients
                .Where(r => r.CampaignId == campaignId && r.Variant != null && r.Status == RecipientStatuses.Sent)
                .GroupBy(r => r.Variant!.Value)
                .Select(g => new { Variant = g.Key, Sent = g.Count(), Engaged = g.Count(r => byClicks ? r.FirstClickedAt != null : r.FirstOpenedAt != null) })
                .ToListAsync(cancellationToken);
            var winner = results.OrderByDescending(r => r.Sent == 0 ? 0 : (double)r.Engaged / r.Sent).ThenBy(r => r.Variant).FirstOrDefault()?.Variant ?? 0;
            campaign.WinnerVariant = winner;
            await db.CampaignRecipients.Where(r => r.CampaignId == campaignId && r.Status == RecipientStatuses.Held)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RecipientStatuses.Pending), cancellationToken);
            logger.LogInformation("Campaign {CampaignId}: subject {Winner} won the test", campaignId, winner);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>A campaign with no recipient left to send is sent: its counts go out as <see cref="CampaignSent"/>.</summary>
    private async Task FinishIfDoneAsync(MarketingDbContext db, Guid campaignId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var campaign = await db.Campaigns.FromSql($"SELECT * FROM campaigns WHERE id = {campaignId} FOR UPDATE").IgnoreQueryFilters().SingleAsync(cancellationToken);
        // A journey's campaign is never done: the next person may reach its step at any time.
        if (campaign.Status != CampaignStatuses.Sending || campaign.JourneyId is not null
            || await db.CampaignRecipients.AnyAsync(
                r => r.CampaignId == campaignId && (r.Status == RecipientStatuses.Pending || r.Status == RecipientStatuses.Held), cancellationToken))
        {
            return;
        }
        var counts = await db.CampaignRecipients.Where(r => r.CampaignId == campaignId).GroupBy(r => r.Status)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        campaign.Status = CampaignStatuses.Sent;
        campaign.FinishedAt = now;
        await Attributions.RecordCampaignMembershipsAsync(db, campaignId, cancellationToken);
        db.AddEvent(new CampaignSent(Guid.CreateVersion7(), now, campaign.TenantId, campaign.Id, 1, campaign.Id, campaign.Name, campaign.SegmentId,
            campaign.Purpose, counts.Values.Sum(), counts.GetValueOrDefault(RecipientStatuses.Sent), counts.GetValueOrDefault(RecipientStatuses.Skipped),
            counts.GetValueOrDefault(RecipientStatuses.Failed), campaign.StartedAt ?? now, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        outbox.Notify();
        logger.LogInformation("Campaign {CampaignId} sent", campaignId);
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var smtp = new SmtpClient { Timeout = (int)SmtpTimeout.TotalMilliseconds };
        try
        {
            await smtp.ConnectAsync(server.Host, server.Port, server.UseTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None, cancellationToken);
            if (server.UserName is { Length: > 0 } user)
            {
                await smtp.AuthenticateAsync(user, server.Password ?? "", cancellationToken);
            }
            return smtp;
        }
        catch
        {
            smtp.Dispose();
            throw;
        }
    }

    private static async Task DisconnectAsync(SmtpClient? smtp)
    {
        if (smtp is { IsConnected: true })
        {
            try
            {
                await smtp.DisconnectAsync(quit: true, CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException)
            {
                // Everything was sent and recorded; a failed QUIT changes nothing.
            }
        }
        smtp?.Dispose();
    }

    /// <summary>
    /// Spaces sends evenly at the campaign's rate (a burst after a pause is not allowed to catch up), whichever worker
    /// sends: each wait takes the next slot under a lock, so the workers together keep the one rate.
    /// </summary>
    private sealed class Pace
    {
        private readonly Lock _gate = new();
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private TimeSpan _next = TimeSpan.Zero;

        public Task WaitAsync(int perSecond, CancellationToken cancellationToken)
        {
            TimeSpan owed;
            lock (_gate)
            {
                var now = _watch.Elapsed;
                if (_next < now)
                {
                    _next = now;
                }
                owed = _next - now;
                _next += TimeSpan.FromSeconds(1.0 / perSecond);
            }
            // Task.Delay cannot wait less than about a millisecond: at high rates, wait only when a whole one is owed.
            return owed >= TimeSpan.FromMilliseconds(1) ? Task.Delay(owed, cancellationToken) : Task.CompletedTask;
        }
    }
}

/// <summary>The public (anonymous) routes of campaign emails, under the gateway's public prefix.</summary>
public static class CampaignLinks
{
    public const string Prefix = "/api/v1/public/campaigns";
    public const string Unsubscribe = Prefix + "/u";
    public const string Open = Prefix + "/o";
    public const string Click = Prefix + "/c";
}
