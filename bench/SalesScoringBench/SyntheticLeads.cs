using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.SalesScoringBench;

/// <summary>A generated lead and the chance it converts, which the generator knows and the model has to learn.</summary>
internal sealed record SyntheticLead(
    Guid Id, string Industry, string Country, int Employees, string JobTitle, string Source, string[] ProductInterests,
    int Engagements, double TrueProbability, string Status);

/// <summary>
/// Leads whose outcome depends on industry, country, company size, seniority, source, product interest and engagement
/// through a logistic function, sampled (so the noise is the outcome's own randomness, plus a per-lead shock no
/// attribute explains). A share of them is closed (converted or disqualified); the rest are open, to be scored.
/// </summary>
internal static class SyntheticLeads
{
    private static readonly (string Name, double Share, double Effect)[] Industries =
    [
        ("Software", 0.22, 1.0), ("Financial Services", 0.14, 0.6), ("Manufacturing", 0.16, 0.4), ("Healthcare", 0.12, 0.2),
        ("Retail", 0.12, -0.3), ("Logistics", 0.1, 0), ("Media", 0.07, -0.4), ("Education", 0.07, -0.9),
    ];
    private static readonly (string Code, double Effect)[] Countries =
        [("DE", 0.5), ("AT", 0.4), ("CH", 0.4), ("FR", 0.1), ("GB", 0.2), ("US", 0.1), ("NL", 0.2), ("ES", -0.2), ("IT", -0.2), ("PL", -0.3)];
    private static readonly (string Title, double Effect)[] Titles =
    [
        ("CEO", 0.9), ("Chief Technology Officer", 1.0), ("VP Sales", 0.8), ("Vice President Operations", 0.7), ("Head of IT", 0.7),
        ("Director of Marketing", 0.5), ("IT Manager", 0.3), ("Team Lead Development", 0.2), ("Software Developer", -0.3),
        ("Analyst", -0.4), ("Working Student", -1.0), ("Intern", -1.2),
    ];
    private static readonly (string Source, double Effect)[] Sources =
        [("web-form", 0.2), ("api", 0), ("import", -0.4), ("referral", 0.9), ("event", 0.3), ("partner", 0.5)];
    private static readonly string[] Products = ["crm", "analytics", "marketing-automation", "service-desk", "cpq"];
    private static readonly string[] EngagementKinds = ["email-opened", "email-opened", "link-clicked", "call", "meeting", "email", "note"];

    public static List<SyntheticLead> Generate(int count, double closedShare, int seed)
    {
        var random = new Random(seed);
        var leads = new List<SyntheticLead>(count);
        for (var i = 0; i < count; i++)
        {
            var industry = Pick(random, Industries);
            var country = Countries[random.Next(Countries.Length)];
            var title = Titles[random.Next(Titles.Length)];
            var source = Sources[random.Next(Sources.Length)];
            var employees = (int)Math.Clamp(Math.Exp(Normal(random, 4.5, 1.6)), 1, 200_000);
            var interests = Products.Where(_ => random.NextDouble() < 0.25).ToArray();
            var interest = Normal(random, 0, 1);
            var engagements = Poisson(random, Math.Exp(0.6 + 0.5 * interest));
            var logit = -2.2 + industry.Effect + country.Effect + title.Effect + source.Effect
                + 0.45 * Math.Log10(employees + 1) + 0.3 * interests.Length + 0.12 * Math.Min(engagements, 10)
                + 0.6 * Normal(random, 0, 1);
            var probability = 1 / (1 + Math.Exp(-logit));
            var status = random.NextDouble() < closedShare
                ? random.NextDouble() < probability ? "converted" : "disqualified"
                : random.NextDouble() < 0.5 ? "new" : "working";
            leads.Add(new(Guid.CreateVersion7(), industry.Name, country.Code, employees, title.Title, source.Source, interests, engagements, probability, status));
        }
        return leads;
    }

    public static async Task CopyAsync(string connectionString, Guid tenantId, IReadOnlyList<SyntheticLead> leads)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var now = DateTime.UtcNow;
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY leads (id, tenant_id, created_at, updated_at, version, created_by, updated_by, owner_id, last_name, email, job_title, company, " +
            "industry, employee_count, country, source, product_interests, status, disqualification_reason) FROM STDIN (FORMAT BINARY)"))
        {
            var n = 0;
            foreach (var lead in leads)
            {
                n++;
                await writer.StartRowAsync();
                await writer.WriteAsync(lead.Id, NpgsqlDbType.Uuid);
                await writer.WriteAsync(tenantId, NpgsqlDbType.Uuid);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(1, NpgsqlDbType.Integer);
                await writer.WriteAsync("bench", NpgsqlDbType.Text);
                await writer.WriteAsync("bench", NpgsqlDbType.Text);
                await writer.WriteAsync("bench", NpgsqlDbType.Text);
                await writer.WriteAsync($"Lead {n}", NpgsqlDbType.Varchar);
                await writer.WriteAsync($"lead{n}@bench{n % 997}.example.com", NpgsqlDbType.Varchar);
                await writer.WriteAsync(lead.JobTitle, NpgsqlDbType.Varchar);
                await writer.WriteAsync($"Company {n % 20_000}", NpgsqlDbType.Varchar);
                await writer.WriteAsync(lead.Industry, NpgsqlDbType.Varchar);
                await writer.WriteAsync(lead.Employees, NpgsqlDbType.Integer);
                await writer.WriteAsync(lead.Country, NpgsqlDbType.Char);
                await writer.WriteAsync(lead.Source, NpgsqlDbType.Varchar);
                await writer.WriteAsync(lead.ProductInterests, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(lead.Status, NpgsqlDbType.Varchar);
                if (lead.Status == "disqualified")
                {
                    await writer.WriteAsync("No fit", NpgsqlDbType.Varchar);
                }
                else
                {
                    await writer.WriteNullAsync();
                }
            }
            await writer.CompleteAsync();
        }

        var random = new Random(7);
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY lead_engagements (id, tenant_id, lead_id, kind, occurred_at, source_id) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var lead in leads)
            {
                for (var e = 0; e < lead.Engagements; e++)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    await writer.WriteAsync(tenantId, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(lead.Id, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(EngagementKinds[random.Next(EngagementKinds.Length)], NpgsqlDbType.Varchar);
                    await writer.WriteAsync(now.AddDays(-random.NextDouble() * 60), NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(Guid.NewGuid(), NpgsqlDbType.Uuid);
                }
            }
            await writer.CompleteAsync();
        }
        await using var analyze = new NpgsqlCommand("ANALYZE leads; ANALYZE lead_engagements", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>The area under the ROC curve of <paramref name="scores"/> for <paramref name="labels"/> (ties count half).</summary>
    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var ranked = scores.Select((s, i) => (Score: s, Label: labels[i])).OrderBy(x => x.Score).ToList();
        double rankSum = 0;
        for (var i = 0; i < ranked.Count;)
        {
            var j = i;
            while (j < ranked.Count && ranked[j].Score == ranked[i].Score)
            {
                j++;
            }
            var rank = (i + 1 + j) / 2.0;
            for (var k = i; k < j; k++)
            {
                rankSum += ranked[k].Label ? rank : 0;
            }
            i = j;
        }
        double positives = labels.Count(l => l);
        var negatives = labels.Count - positives;
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }

    private static (string Name, double Share, double Effect) Pick(Random random, (string Name, double Share, double Effect)[] options)
    {
        var x = random.NextDouble() * options.Sum(o => o.Share);
        foreach (var option in options)
        {
            x -= option.Share;
            if (x <= 0)
            {
                return option;
            }
        }
        return options[^1];
    }

    private static double Normal(Random random, double mean, double deviation) =>
        mean + deviation * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static int Poisson(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
        {
            k++;
        }
        return k;
    }
}
