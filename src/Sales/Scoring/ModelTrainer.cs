using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Leads;
using Microsoft.EntityFrameworkCore;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace CrmPlatform.Sales.Scoring;

/// <summary>The outcome of a training request: the stored model, or why there is none yet.</summary>
public sealed record TrainingResult(LeadScoringModel? Model, int Converted, int Disqualified, int MinOutcomes, string? NotTrainedBecause);

/// <summary>
/// Trains a tenant's model on its own outcomes: converted leads are positives, disqualified ones negatives. A fifth of
/// them (chosen by a fixed seed) is held out and the AUC reported is on those; the model kept is the one trained on the
/// other four fifths, so the figure describes the model that scores. Below the tenant's threshold nothing is trained
/// and scoring stays rule-based.
/// </summary>
public static class ModelTrainer
{
    private const double HeldOutFraction = 0.2;
    private const int Seed = 11;

    public sealed class Row
    {
        public bool Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    public sealed class Prediction
    {
        public bool PredictedLabel { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
    }

    public static async Task<TrainingResult> TrainAsync(SalesDbContext db, CancellationToken cancellationToken)
    {
        var tenant = db.CurrentTenantId;
        var settings = await db.ScoringSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        var minOutcomes = settings?.MinOutcomes ?? ScoringSettings.DefaultMinOutcomes;
        var outcomes = await db.Leads.IgnoreQueryFilters()
            .Where(l => l.TenantId == tenant && (l.Status == LeadStatuses.Converted || l.Status == LeadStatuses.Disqualified))
            .Select(l => new { Facts = new LeadFacts(l.Id, l.Industry, l.Country, l.EmployeeCount, l.JobTitle, l.ProductInterests, l.Source), l.Status, l.EngagementScore })
            .ToListAsync(cancellationToken);
        var converted = outcomes.Count(o => o.Status == LeadStatuses.Converted);
        var disqualified = outcomes.Count - converted;
        if (outcomes.Count < minOutcomes || converted < ScoringSettings.MinOutcomesPerClass || disqualified < ScoringSettings.MinOutcomesPerClass)
        {
            return new(null, converted, disqualified, minOutcomes,
                $"{outcomes.Count} outcomes ({converted} converted, {disqualified} disqualified); a model needs {minOutcomes}, "
                + $"at least {ScoringSettings.MinOutcomesPerClass} of each.");
        }

        var space = LeadFeatureSpace.Learn(outcomes.Select(o => o.Facts).ToList());
        var rows = outcomes.Select(o => new Row { Label = o.Status == LeadStatuses.Converted, Features = space.Featurize(o.Facts, o.EngagementScore ?? 0) }).ToList();
        var trained = Train(rows, space.Length);
        var model = new LeadScoringModel
        {
            TenantId = tenant,
            TrainedAt = DateTime.UtcNow,
            TrainedBy = db.Actor,
            ModelBytes = trained.Bytes,
            Features = space,
            Weights = trained.Weights,
            Bias = trained.Bias,
            TrainingLeads = trained.TrainingRows,
            HeldOutLeads = trained.HeldOutRows,
            Converted = converted,
            Disqualified = disqualified,
            Auc = trained.Auc,
            Accuracy = trained.Accuracy,
        };
        db.LeadScoringModels.Add(model);
        await db.SaveChangesAsync(cancellationToken);
        return new(model, converted, disqualified, minOutcomes, null);
    }

    public sealed record Trained(byte[] Bytes, float[] Weights, float Bias, int TrainingRows, int HeldOutRows, double Auc, double Accuracy);

    /// <summary>Also used by the benchmark, on generated rows.</summary>
    public static Trained Train(IReadOnlyList<Row> rows, int length)
    {
        var ml = new MLContext(Seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var split = ml.Data.TrainTestSplit(data, HeldOutFraction, seed: Seed);
        var trainer = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = nameof(Row.Label),
            FeatureColumnName = nameof(Row.Features),
            L2Regularization = 0.1f,
        });
        var transformer = trainer.Fit(split.TrainSet);
        var metrics = ml.BinaryClassification.Evaluate(transformer.Transform(split.TestSet), nameof(Row.Label));
        var linear = transformer.Model.SubModel;
        using var stream = new MemoryStream();
        ml.Model.Save(transformer, data.Schema, stream);
        var trainingRows = (int)split.TrainSet.GetColumn<bool>(nameof(Row.Label)).Count();
        return new(stream.ToArray(), [.. linear.Weights], linear.Bias, trainingRows, rows.Count - trainingRows, metrics.AreaUnderRocCurve, metrics.Accuracy);
    }

    /// <summary>ML.NET's own prediction from the stored bytes: what the explanation is checked against.</summary>
    public static Prediction Predict(LeadScoringModel model, float[] features)
    {
        var ml = new MLContext(Seed);
        using var stream = new MemoryStream(model.ModelBytes);
        var loaded = ml.Model.Load(stream, out _);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features.Length);
        var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(loaded, inputSchemaDefinition: schema);
        return engine.Predict(new Row { Features = features });
    }
}
