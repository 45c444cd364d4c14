using CrmPlatform.Contacts.Apis.DoubleOptIn;
using CrmPlatform.Contacts.Apis.Gdpr;
using CrmPlatform.Contacts.Apis.Settings;
using CrmPlatform.Persistence.Audit;

namespace CrmPlatform.Contacts.Apis;

public static class ContactsApis
{
    /// <summary>Every endpoint of Contacts, one group per resource (each in its own file under <c>Apis/</c>).</summary>
    public static void MapContactsApis(this WebApplication app)
    {
        app.MapPeopleApi();
        app.MapBulkPeopleApi();
        app.MapBulkOrganizationsApi();
        app.MapOrganizationsApi();
        app.MapConsentsApi();
        app.MapDoubleOptInApi();
        app.MapConfirmationApi();
        app.MapAffiliationsApi();
        app.MapPersonLinksApi();
        app.MapCustomFieldsApi();
        app.MapSearchApi();
        app.MapExternalIdsApi();
        app.MapGdprRequestsApi();
        app.MapRetentionApi();
        app.MapContactSettingsApi();
        app.MapDuplicatesApi();
        app.MapMergesApi();
        app.MapAuditApi();
        app.MapImportsApi();
        app.MapExportsApi();
    }
}
