namespace Portal.Core.Entities;

/// <summary>What a model predicts, which decides how feedback scores it: accuracy for classes, MAE and RMSE for numbers.</summary>
public enum ModelKind { Classification, Regression }
