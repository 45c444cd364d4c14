using CrmPlatform.Contacts.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Data;

public static class PeopleByEmail
{
    /// <summary>
    /// The person who has <paramref name="email"/> among any of their addresses (the email index), tracked; null when
    /// nobody has it. Addresses are unique per tenant, so there is at most one.
    /// </summary>
    public static Task<Person?> PersonWithEmailAsync(this ContactsDbContext db, string email, CancellationToken cancellationToken)
    {
        var normalized = EmailAddress.Normalize(email);
        return (
                from address in db.PersonEmails
                join person in db.People on address.PersonId equals person.Id
                where address.Address == normalized
                select person)
            .SingleOrDefaultAsync(cancellationToken);
    }
}
