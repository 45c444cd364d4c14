using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Sales;

/// <summary>Who may do what in Sales: the sales team works the pipeline, marketing and read-only users look at it.</summary>
public static class Permissions
{
    public const string Opportunities = "opportunities";
    public const string Products = "products";
    public const string PriceBooks = "price-books";
    public const string Quotes = "quotes";
    public const string Pipelines = "pipelines";
    public const string Activities = "activities";
    public const string Tasks = "tasks";
    public const string Leads = "leads";
    public const string LeadConversions = "lead-conversions";
    public const string AssignmentRules = "assignment-rules";
    public const string LeadAssignments = "lead-assignments";
    public const string LeadScoring = "lead-scoring";
    public const string Forecast = "forecast";
    public const string Quotas = "quotas";

    public static readonly PermissionMatrix Matrix = new PermissionMatrix()
        .Allow(AuditApi.Resource, Operation.Read, Roles.Admin)
        .Allow(Opportunities, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(Opportunities, [Operation.Create, Operation.Update], Roles.Admin, Roles.SalesManager, Roles.SalesRep)
        .Allow(Opportunities, Operation.Delete, Roles.Admin, Roles.SalesManager)
        // The catalogue and its prices are the managers' to set; reps quote from them.
        .Allow(Products, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(Products, [Operation.Create, Operation.Update], Roles.Admin, Roles.SalesManager)
        .Allow(PriceBooks, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(PriceBooks, [Operation.Create, Operation.Update], Roles.Admin, Roles.SalesManager)
        // Quotes follow their opportunity's record scope; sending, accepting and rejecting are updates.
        .Allow(Quotes, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(Quotes, [Operation.Create, Operation.Update], Roles.Admin, Roles.SalesManager, Roles.SalesRep)
        // Pipelines shape everyone's work: whoever reads opportunities reads them, those who run the team change them.
        .Allow(Pipelines, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(Pipelines, [Operation.Create, Operation.Update, Operation.Delete], Roles.Admin, Roles.SalesManager)
        // Activities and tasks: the sales team logs and plans, readers read; only managers and admins delete history.
        // The timeline reads with the activities' permission.
        .Allow(Activities, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(Activities, [Operation.Create, Operation.Update], Roles.Admin, Roles.SalesManager, Roles.SalesRep)
        .Allow(Activities, Operation.Delete, Roles.Admin, Roles.SalesManager)
        .Allow(Tasks, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(Tasks, [Operation.Create, Operation.Update], Roles.Admin, Roles.SalesManager, Roles.SalesRep)
        .Allow(Tasks, Operation.Delete, Roles.Admin, Roles.SalesManager)
        // Leads: the sales team works them under record scopes; marketing captures them (events, lists) and reads them
        // all, but qualifying is sales' call; deleting is for managers and admins. Imports are creates.
        .Allow(Leads, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(Leads, Operation.Create, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing)
        .Allow(Leads, Operation.Update, Roles.Admin, Roles.SalesManager, Roles.SalesRep)
        .Allow(Leads, Operation.Delete, Roles.Admin, Roles.SalesManager)
        // Converting a lead makes contacts and an opportunity: the sales team does it, within the lead's record scope.
        .Allow(LeadConversions, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(LeadConversions, Operation.Create, Roles.Admin, Roles.SalesManager, Roles.SalesRep)
        // Assignment rules decide who works which lead: the managers' to set. Applying them to a lead the caller can
        // see (reassigning by the rules) and reading a lead's assignment history is the sales team's.
        .Allow(AssignmentRules, [Operation.Read, Operation.Create, Operation.Update, Operation.Delete], Roles.Admin, Roles.SalesManager)
        .Allow(LeadAssignments, [Operation.Read, Operation.Create], Roles.Admin, Roles.SalesManager, Roles.SalesRep)
        // Scores are read by whoever reads leads; weights, training and rescoring are the managers'.
        .Allow(LeadScoring, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(LeadScoring, Operation.Update, Roles.Admin, Roles.SalesManager)
        // The forecast reads with a narrower scope of its own (ForecastScope); quotas are the managers' to set.
        .Allow(Forecast, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.ReadOnly)
        .Allow(Quotas, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.ReadOnly)
        .Allow(Quotas, [Operation.Create, Operation.Update, Operation.Delete], Roles.Admin, Roles.SalesManager);
}
