using Microsoft.JSInterop;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// What a component sees during static rendering: there is no browser. Radzen components inject IJSRuntime but
/// only call it after an interactive render, which HtmlRenderer never does; a call here would be a real defect.
/// </summary>
public sealed class StaticRenderJsRuntime : IJSRuntime
{
    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
        throw new InvalidOperationException($"JavaScript '{identifier}' was called during static rendering.");

    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
        InvokeAsync<TValue>(identifier, args);
}
