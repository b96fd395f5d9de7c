namespace Portal.Web.Features.Trainings;

public static class TrainingLinks
{
    private static string E(string s) => Uri.EscapeDataString(s);

    public static string Page(string project, string name) => $"/trainings/{E(project)}/{E(name)}";
    public static string Api(string project, string name) => $"/api/v1/trainings/{E(project)}/{E(name)}";

    /// <summary>The comparison of runs named <c>project/training</c>, as a shareable address.</summary>
    public static string Compare(IEnumerable<string> runs) => $"/trainings/compare?runs={E(string.Join(',', runs))}";
}
