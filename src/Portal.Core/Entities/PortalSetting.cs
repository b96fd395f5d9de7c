namespace Portal.Core.Entities;

/// <summary>A setting an admin changed in the portal, stored as JSON under its key; it takes precedence over portal.yaml.</summary>
public sealed class PortalSetting
{
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
    public DateTime UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";
}
