using Portal.Core.Entities;

namespace Portal.Web.Features.Models;

/// <summary>An editable row of the file spec editor; <see cref="FileSpec"/> itself is immutable.</summary>
public sealed class FileSpecRow
{
    public string Name { get; set; } = "";
    public string? Desc { get; set; }
    public bool Required { get; set; }
    public double? MaxMb { get; set; }

    public static FileSpecRow From(FileSpec s) => new() { Name = s.Name, Desc = s.Desc, Required = s.Required, MaxMb = s.MaxMb };

    public FileSpec ToSpec() => new() { Name = Name, Desc = Desc, Required = Required, MaxMb = MaxMb };
}
