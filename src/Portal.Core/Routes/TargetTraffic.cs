namespace Portal.Core.Routes;

/// <summary>What one of a route's deployments served over a window: requests, their share of the route's, errors, mean latency.</summary>
public sealed record TargetTraffic(string Deployment, int Weight, bool Shadow, int Requests, double Share, int Errors, double? MeanLatencyMs);
