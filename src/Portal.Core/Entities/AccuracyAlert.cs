namespace Portal.Core.Entities;

/// <summary>
/// When a deployment's live score, over the last <see cref="WindowMinutes"/> with at least <see cref="MinLabelled"/>
/// labelled requests, crosses <see cref="Threshold"/> (accuracy below it, or an error above it), the portal raises an
/// alert and, when <see cref="RetrainNotebook"/> is set, launches that training of the deployment's project.
/// </summary>
public sealed record AccuracyAlert(double Threshold, int WindowMinutes = 60, int MinLabelled = 20, string? RetrainNotebook = null,
    IReadOnlyList<string>? RetrainDatasets = null);
