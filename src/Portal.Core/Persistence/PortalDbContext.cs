using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Entities;

namespace Portal.Core.Persistence;

/// <summary>
/// The metadata store's EF Core model. The schema is created by the hand-written migrations in
/// <see cref="Migrations"/>; a unit test checks that they produce exactly what this model expects.
/// </summary>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options) : DbContext(options)
{
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<BuildVersion> BuildVersions => Set<BuildVersion>();
    public DbSet<ModelPackage> ModelPackages => Set<ModelPackage>();
    public DbSet<Model> Models => Set<Model>();
    public DbSet<Dataset> Datasets => Set<Dataset>();
    public DbSet<Training> Trainings => Set<Training>();
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<PredictionRecord> Predictions => Set<PredictionRecord>();
    public DbSet<ModelRoute> Routes => Set<ModelRoute>();
    public DbSet<Sweep> Sweeps => Set<Sweep>();
    public DbSet<TrainingSchedule> Schedules => Set<TrainingSchedule>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<IdeSession> IdeSessions => Set<IdeSession>();
    public DbSet<Deployment> Deployments => Set<Deployment>();
    public DbSet<Credential> Credentials => Set<Credential>();
    public DbSet<PortalUser> Users => Set<PortalUser>();
    public DbSet<AccessToken> AccessTokens => Set<AccessToken>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<PortalSetting> Settings => Set<PortalSetting>();
    public DbSet<MetricStep> MetricSteps => Set<MetricStep>();

    /// <summary>SQLite keeps no time zone: every time is stored in UTC and read back as UTC.</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        var c = configurationBuilder;
        c.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        c.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var b = modelBuilder;
        b.HasDbFunction(typeof(StoreQueries).GetMethod(nameof(StoreQueries.Lower))!).HasName("lower").IsBuiltIn();
        b.Entity<Project>(e =>
        {
            e.ToTable("projects");
            e.HasIndex(p => p.Name).IsUnique();
            e.HasMany(p => p.Models).WithMany(m => m.Projects).UsingEntity("project_models",
                r => r.HasOne(typeof(Model)).WithMany().HasForeignKey("ModelId").OnDelete(DeleteBehavior.Cascade),
                l => l.HasOne(typeof(Project)).WithMany().HasForeignKey("ProjectId").OnDelete(DeleteBehavior.Cascade));
        });

        b.Entity<BuildVersion>(e =>
        {
            e.ToTable("build_versions");
            e.HasIndex(v => new { v.ProjectId, v.Tag }).IsUnique();
            e.HasOne(v => v.Project).WithMany().HasForeignKey(v => v.ProjectId).OnDelete(DeleteBehavior.Cascade);
            e.Property(v => v.BuiltFrom).HasConversion<string>();
        });

        b.Entity<Model>(e =>
        {
            e.ToTable("models");
            e.HasIndex(m => m.Name).IsUnique();
            Json(e.Property(m => m.ModelFiles));
            Json(e.Property(m => m.DataFiles));
            e.Property(m => m.Kind).HasConversion<string>();
        });

        b.Entity<Dataset>(e =>
        {
            e.ToTable("datasets");
            e.HasIndex(d => new { d.ModelId, d.Name }).IsUnique();
            e.HasOne(d => d.Model).WithMany().HasForeignKey(d => d.ModelId).OnDelete(DeleteBehavior.Cascade);
            Json(e.Property(d => d.Details));
            Json(e.Property(d => d.Files));
            Json(e.Property(d => d.Archive));
            e.Ignore(d => d.TotalSize);
        });

        b.Entity<Training>(e =>
        {
            e.ToTable("trainings");
            e.HasIndex(t => new { t.ProjectId, t.Name }).IsUnique();
            e.HasOne(t => t.Project).WithMany().HasForeignKey(t => t.ProjectId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(t => t.BuildVersion).WithMany().HasForeignKey(t => t.BuildVersionId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(t => t.Pretrained).WithMany().HasForeignKey(t => t.PretrainedId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<Dataset>().WithMany().HasForeignKey(t => t.ScoredDatasetId).OnDelete(DeleteBehavior.SetNull);
            e.HasIndex(t => t.ScoredDatasetId);
            e.HasOne<Sweep>().WithMany().HasForeignKey(t => t.SweepId).OnDelete(DeleteBehavior.SetNull);
            e.HasIndex(t => t.SweepId);
            e.HasOne<TrainingSchedule>().WithMany().HasForeignKey(t => t.ScheduleId).OnDelete(DeleteBehavior.SetNull);
            e.HasIndex(t => t.ScheduleId);
            e.Property(t => t.Kind).HasConversion<string>().HasDefaultValue(TrainingKind.Notebook);
            Json(e.Property(t => t.Parameters));
            Json(e.Property(t => t.Details));
            Json(e.Property(t => t.Datasets));
            Json(e.Property(t => t.Env));
            Json(e.Property(t => t.Mounts)).HasDefaultValueSql("'[]'");
            Json(e.Property(t => t.Metrics));
            Json(e.Property(t => t.Failure));
            e.HasIndex(t => t.TaskTokenHash);
            Task(e.ComplexProperty(t => t.Task));
        });

        b.Entity<Sweep>(e =>
        {
            e.ToTable("sweeps");
            e.HasIndex(s => new { s.ProjectId, s.Name }).IsUnique();
            e.HasIndex(s => s.State);
            e.HasOne(s => s.Project).WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
            e.Property(s => s.Method).HasConversion<string>();
            e.Property(s => s.Direction).HasConversion<string>();
            e.Property(s => s.State).HasConversion<string>();
            Json(e.Property(s => s.Template));
            Json(e.Property(s => s.Trials));
            Json(e.Property(s => s.OwnerRoles));
        });

        b.Entity<TrainingSchedule>(e =>
        {
            e.ToTable("training_schedules");
            e.HasIndex(s => new { s.ProjectId, s.Name }).IsUnique();
            e.HasOne(s => s.Project).WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
            Json(e.Property(s => s.Template));
            Json(e.Property(s => s.History));
            Json(e.Property(s => s.OwnerRoles));
        });

        b.Entity<ModelVersion>(e =>
        {
            e.ToTable("model_versions");
            e.HasIndex(v => new { v.ModelId, v.Name }).IsUnique();
            e.HasIndex(v => new { v.TrainingId, v.PublishId }).IsUnique();
            e.HasOne(v => v.Model).WithMany().HasForeignKey(v => v.ModelId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(v => v.Training).WithMany().HasForeignKey(v => v.TrainingId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(v => v.Dataset).WithMany().HasForeignKey(v => v.DatasetId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(v => v.Pretrained).WithMany().HasForeignKey(v => v.PretrainedId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(v => v.BuildVersion).WithMany().HasForeignKey(v => v.BuildVersionId).OnDelete(DeleteBehavior.SetNull);
            Json(e.Property(v => v.Details));
            Json(e.Property(v => v.Files));
            Json(e.Property(v => v.Archive));
            Json(e.Property(v => v.Promotions)).HasDefaultValueSql("'[]'");
        });

        b.Entity<Deployment>(e =>
        {
            e.ToTable("deployments");
            e.HasIndex(d => d.Name).IsUnique();
            e.HasOne(d => d.Project).WithMany().HasForeignKey(d => d.ProjectId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(d => d.ModelVersion).WithMany().HasForeignKey(d => d.ModelVersionId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(d => d.BuildVersion).WithMany().HasForeignKey(d => d.BuildVersionId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(d => d.Package).WithMany().HasForeignKey(d => d.PackageId).OnDelete(DeleteBehavior.Restrict);
            e.Property(d => d.Environment).HasDefaultValue("dev");
            e.Property(d => d.Port).HasDefaultValue(8080);
            e.Property(d => d.Sleeping).HasDefaultValue(false);
            Json(e.Property(d => d.Env)).HasDefaultValueSql("'{}'");
            Json(e.Property(d => d.Details));
            Json(e.Property(d => d.Alert));
            Task(e.ComplexProperty(d => d.Task));
        });

        b.Entity<ModelPackage>(e =>
        {
            e.ToTable("model_packages");
            e.HasIndex(p => p.Name).IsUnique();
            e.HasOne(p => p.ModelVersion).WithMany().HasForeignKey(p => p.ModelVersionId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<Project>().WithMany().HasForeignKey(p => p.ProjectId).OnDelete(DeleteBehavior.SetNull);
            e.Property(p => p.Kind).HasConversion<string>();
            Task(e.ComplexProperty(p => p.Task));
        });

        b.Entity<PredictionRecord>(e =>
        {
            e.ToTable("predictions");
            e.HasIndex(p => new { p.DeploymentId, p.RequestId }).IsUnique();
            e.HasIndex(p => p.RequestId);
            e.HasIndex(p => new { p.Route, p.At });
            e.Property(p => p.Shadow).HasDefaultValue(false);
            e.HasIndex(p => new { p.DeploymentId, p.At });
            e.HasOne<Deployment>().WithMany().HasForeignKey(p => p.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<ModelRoute>(e =>
        {
            e.ToTable("model_routes");
            e.HasIndex(r => r.Name).IsUnique();
            Json(e.Property(r => r.Targets));
        });

        b.Entity<Webhook>(e =>
        {
            e.ToTable("webhooks");
            e.HasIndex(w => w.Name).IsUnique();
            Json(e.Property(w => w.Events));
        });

        b.Entity<WebhookDelivery>(e =>
        {
            e.ToTable("webhook_deliveries");
            e.HasIndex(d => new { d.WebhookId, d.Id });
            e.HasIndex(d => new { d.State, d.NextAttemptAt });
            e.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
            e.Property(d => d.State).HasConversion<string>();
        });

        b.Entity<MetricStep>(e =>
        {
            e.ToTable("metric_points");
            e.HasIndex(m => new { m.TrainingId, m.Name, m.Step });
            e.HasOne<Training>().WithMany().HasForeignKey(m => m.TrainingId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<IdeSession>(e =>
        {
            e.ToTable("ide_sessions");
            e.HasIndex(i => new { i.User, i.Name }).IsUnique();
            Json(e.Property(i => i.Datasets));
            Json(e.Property(i => i.ModelVersions)).HasDefaultValueSql("'[]'");
            Json(e.Property(i => i.Env)).HasDefaultValueSql("'{}'");
            Task(e.ComplexProperty(i => i.Task));
        });

        b.Entity<Credential>(e =>
        {
            e.ToTable("credentials");
            e.HasIndex(c => c.Name).IsUnique();
            e.Property(c => c.Kind).HasConversion<string>();
            Json(e.Property(c => c.Details));
        });

        b.Entity<PortalUser>(e =>
        {
            e.ToTable("users");
            e.HasIndex(u => u.Name).IsUnique();
            e.Property(u => u.Source).HasConversion<string>();
            Json(e.Property(u => u.Roles)).HasDefaultValueSql("'[]'");
            e.Property(u => u.SecurityStamp).HasDefaultValueSql("''");
        });

        b.Entity<AccessToken>(e =>
        {
            e.ToTable("access_tokens");
            e.HasIndex(t => t.Hash).IsUnique();
            e.HasIndex(t => new { t.UserId, t.Name }).IsUnique();
            e.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<PortalSetting>(e =>
        {
            e.ToTable("settings");
            e.HasKey(s => s.Key);
        });

        b.Entity<AuditEvent>(e =>
        {
            e.ToTable("audit_events");
            e.HasIndex(a => a.At);
            e.HasIndex(a => a.Actor);
            e.Property(a => a.Outcome).HasConversion<string>();
        });
    }

    private static PropertyBuilder<T> Json<T>(PropertyBuilder<T> property) =>
        property.HasConversion(JsonColumn.Converter<T>(), JsonColumn.Comparer<T>()).HasColumnType("TEXT");

    private static void Task(ComplexPropertyBuilder<TaskInfo> task) => task.Property(t => t.State).HasConversion<string>();
}
