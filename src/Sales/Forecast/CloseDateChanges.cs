using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Model;

namespace CrmPlatform.Sales.Forecast;

public static class CloseDateChanges
{
    /// <summary>Records a change of the expected close date in the write that makes it (call before applying it).</summary>
    public static void Track(SalesDbContext db, Opportunity opportunity, DateOnly? newDate, TimeProvider clock)
    {
        if (opportunity.ExpectedCloseDate == newDate)
        {
            return;
        }
        var from = opportunity.ExpectedCloseDate;
        db.CloseDateChanges.Add(new CloseDateChange
        {
            OpportunityId = opportunity.Id, FromDate = from, ToDate = newDate, Pushed = from is not null && newDate > from,
            CreatedAt = clock.GetUtcNow().UtcDateTime, ChangedBy = db.Actor,
        });
    }
}
