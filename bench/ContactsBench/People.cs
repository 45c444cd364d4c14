using System.Globalization;
using Bogus;
using CsvHelper;

namespace CrmPlatform.ContactsBench;

/// <summary>One generated person, as a row of the import file and of the bare COPY.</summary>
internal sealed record GeneratedPerson(
    string ExternalId, string FirstName, string LastName, string Email, string Phone, string JobTitle, Guid OrganizationId,
    string City, string Country, string Tags, string Language, string OwnerId, string PreferredChannel, bool DoNotCall, bool DoNotEmail,
    string Segment, string Industry, string Rating, string LifecycleStage);

/// <summary>
/// Realistic people for a German-speaking customer (Bogus, German names, fixed seed): unique emails, Berlin phone
/// numbers, job titles, organizations, and every field the people list filters or sorts by, spread unevenly the way a
/// real address book is (most German-speaking, a third unclassified, few with do-not-call).
/// </summary>
internal static class People
{
    public static readonly string[] Header =
    [
        "external_id", "first_name", "last_name", "email", "phone", "job_title", "organization_id", "city", "country", "tags",
        "language", "owner_id", "preferred_channel", "do_not_call", "do_not_email", "segment", "industry", "rating", "lifecycle_stage",
    ];

    private static readonly string[] TagPool = ["vip", "newsletter", "partner", "prospect", "event-2026", "churn-risk", "reseller", "press"];
    private static readonly string[] Languages = ["de", "en", "fr", "it", "pl", "tr"];
    private static readonly float[] LanguageWeights = [0.6f, 0.25f, 0.06f, 0.04f, 0.03f, 0.02f];
    private static readonly string[] Channels = ["", "email", "phone", "sms", "mail"];
    private static readonly float[] ChannelWeights = [0.5f, 0.3f, 0.12f, 0.05f, 0.03f];
    private static readonly string[] Segments = ["", "SMB", "Mid-Market", "Enterprise", "Public Sector"];
    private static readonly float[] SegmentWeights = [0.35f, 0.35f, 0.17f, 0.1f, 0.03f];
    private static readonly string[] Industries =
        ["", "Manufacturing", "Retail", "Software", "Healthcare", "Finance", "Logistics", "Education", "Energy", "Construction", "Media", "Hospitality"];
    /// <summary>Ratings and stages by the rank the people table stores (0: none, written as an empty field).</summary>
    public static readonly string[] Ratings = ["", "cold", "warm", "hot"];
    public static readonly string[] Stages = ["", "subscriber", "lead", "customer", "former-customer"];

    public static IEnumerable<GeneratedPerson> Generate(int count, IReadOnlyList<Guid> organizations)
    {
        Randomizer.Seed = new Random(20261123);
        var faker = new Faker("de");
        for (var i = 0; i < count; i++)
        {
            var first = faker.Name.FirstName();
            var last = faker.Name.LastName();
            var email = $"{Simple(first)}.{Simple(last)}.{i}@{faker.Internet.DomainName()}";
            var tags = string.Join(';', faker.PickRandom(TagPool, faker.Random.Int(0, 2)).Distinct());
            var (phone, jobTitle, organization, city) = ($"+49 30 {faker.Random.Int(2000000, 99999999)}", faker.Name.JobTitle(),
                organizations[faker.Random.Int(0, organizations.Count - 1)], faker.Address.City());
            var (language, owner) = (faker.Random.WeightedRandom(Languages, LanguageWeights), faker.Random.Bool(0.9f) ? $"user-{faker.Random.Int(1, 40):D2}" : "");
            var (channel, doNotCall, doNotEmail) = (faker.Random.WeightedRandom(Channels, ChannelWeights), faker.Random.Bool(0.03f), faker.Random.Bool(0.02f));
            // The API refuses a preferred channel the person is not to be reached by; such a row is no test of speed.
            channel = (doNotCall && channel is "phone" or "sms") || (doNotEmail && channel is "email") ? "" : channel;
            yield return new GeneratedPerson($"B{i:D7}", first, last, email, phone, jobTitle, organization, city, "DE", tags, language, owner,
                channel, doNotCall, doNotEmail,
                faker.Random.WeightedRandom(Segments, SegmentWeights), faker.PickRandom(Industries), faker.PickRandom(Ratings), faker.PickRandom(Stages));
        }
    }

    private static string Simple(string name) => new([.. name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)]);

    private static string[] Fields(GeneratedPerson p) =>
    [
        p.ExternalId, p.FirstName, p.LastName, p.Email, p.Phone, p.JobTitle, p.OrganizationId.ToString(), p.City, p.Country, p.Tags,
        p.Language, p.OwnerId, p.PreferredChannel, p.DoNotCall ? "yes" : "no", p.DoNotEmail ? "yes" : "no", p.Segment, p.Industry, p.Rating, p.LifecycleStage,
    ];

    public static async Task<long> WriteCsvAsync(string path, IEnumerable<GeneratedPerson> people)
    {
        await using (var writer = new StreamWriter(path))
        await using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            foreach (var column in Header)
            {
                csv.WriteField(column);
            }
            await csv.NextRecordAsync();
            foreach (var p in people)
            {
                foreach (var value in Fields(p))
                {
                    csv.WriteField(value);
                }
                await csv.NextRecordAsync();
            }
        }
        return new FileInfo(path).Length;
    }

    public static IEnumerable<GeneratedPerson> ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        while (csv.Read())
        {
            yield return new GeneratedPerson(csv.GetField(0)!, csv.GetField(1)!, csv.GetField(2)!, csv.GetField(3)!, csv.GetField(4)!,
                csv.GetField(5)!, Guid.Parse(csv.GetField(6)!), csv.GetField(7)!, csv.GetField(8)!, csv.GetField(9)!,
                csv.GetField(10)!, csv.GetField(11)!, csv.GetField(12)!, csv.GetField(13) == "yes", csv.GetField(14) == "yes",
                csv.GetField(15)!, csv.GetField(16)!, csv.GetField(17)!, csv.GetField(18)!);
        }
    }
}
