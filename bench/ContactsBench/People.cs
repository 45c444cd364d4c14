using System.Globalization;
using Bogus;
using CsvHelper;

namespace CrmPlatform.ContactsBench;

/// <summary>One generated person, as a row of the import file and of the bare COPY.</summary>
internal sealed record GeneratedPerson(
    string ExternalId, string FirstName, string LastName, string Email, string Phone, string JobTitle, Guid OrganizationId,
    string City, string Country, string Tags);

/// <summary>Realistic people (Bogus, fixed seed): names, unique emails, Berlin phone numbers, job titles, organizations.</summary>
internal static class People
{
    public static readonly string[] Header = ["external_id", "first_name", "last_name", "email", "phone", "job_title", "organization_id", "city", "country", "tags"];

    private static readonly string[] TagPool = ["vip", "newsletter", "partner", "prospect", "event-2026", "churn-risk", "reseller", "press"];

    public static IEnumerable<GeneratedPerson> Generate(int count, IReadOnlyList<Guid> organizations)
    {
        Randomizer.Seed = new Random(20261123);
        var faker = new Faker("en");
        for (var i = 0; i < count; i++)
        {
            var first = faker.Name.FirstName();
            var last = faker.Name.LastName();
            var email = $"{Simple(first)}.{Simple(last)}.{i}@{faker.Internet.DomainName()}";
            var tags = string.Join(';', faker.PickRandom(TagPool, faker.Random.Int(0, 2)).Distinct());
            yield return new GeneratedPerson($"B{i:D7}", first, last, email, $"+49 30 {faker.Random.Int(2000000, 99999999)}",
                faker.Name.JobTitle(), organizations[faker.Random.Int(0, organizations.Count - 1)], faker.Address.City(), "DE", tags);
        }
    }

    private static string Simple(string name) => new([.. name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)]);

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
                foreach (var value in new[] { p.ExternalId, p.FirstName, p.LastName, p.Email, p.Phone, p.JobTitle, p.OrganizationId.ToString(), p.City, p.Country, p.Tags })
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
                csv.GetField(5)!, Guid.Parse(csv.GetField(6)!), csv.GetField(7)!, csv.GetField(8)!, csv.GetField(9)!);
        }
    }
}
