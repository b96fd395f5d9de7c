using Portal.Core.Errors;

namespace Portal.Web.Features.Settings;

/// <summary>Saves several sections in a row and reports every refusal together, so a form shows all its problems at once.</summary>
public static class SettingsErrors
{
    public static async Task SaveAllAsync(params Func<Task>[] saves)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var save in saves)
        {
            try { await save(); }
            catch (ValidationFailedException e)
            {
                foreach (var (field, messages) in e.Errors) errors[field] = messages;
            }
        }
        if (errors.Count > 0) throw new ValidationFailedException(errors);
    }
}
