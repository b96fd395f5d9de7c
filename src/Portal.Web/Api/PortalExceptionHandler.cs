using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Errors;
using Portal.Core.Persistence;
using Portal.Core.Storage;

namespace Portal.Web.Api;

/// <summary>Turns the use cases' errors into RFC 7807 problem details for API callers; other requests get the default handling.</summary>
public sealed class PortalExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var context = httpContext;
        var ct = cancellationToken;
        if (!context.Request.Path.StartsWithSegments("/api")) return false;
        var details = ToProblem(exception);
        if (details is null) return false;
        context.Response.StatusCode = details.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = details, Exception = exception });
    }

    public static ProblemDetails? ToProblem(Exception exception) => exception switch
    {
        ValidationFailedException v => new HttpValidationProblemDetails(v.Errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request has invalid values.",
            Detail = v.Message,
        },
        NotFoundException n => new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found.", Detail = n.Message },
        AccessDeniedException d => new ProblemDetails { Status = StatusCodes.Status403Forbidden, Title = "Your roles do not allow this.", Detail = d.Message },
        ConflictException c => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict.", Detail = c.Message },
        _ when StorageFull.Is(exception) => new ProblemDetails
        {
            Status = StatusCodes.Status507InsufficientStorage, Title = "Storage full.", Detail = StorageFull.Message,
        },
        _ when StoreBusy.Is(exception) => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable, Title = "The metadata store is busy.", Detail = StoreBusy.Message,
        },
        Portal.Core.Containers.EngineUnreachableException u => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable, Title = "The container engine cannot be reached.", Detail = u.Message,
        },
        // The engine refused: the request was valid, the state of the engine is the problem.
        Portal.Core.Containers.ContainerManagerException m => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "The container engine refused.", Detail = m.Message },
        FileTooLargeException f => new ProblemDetails { Status = StatusCodes.Status413PayloadTooLarge, Title = "Too large.", Detail = f.Message },
        BadHttpRequestException b => new ProblemDetails
        {
            Status = b.StatusCode,
            Title = "Bad request.",
            Detail = b.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is larger than this endpoint accepts." : b.Message,
        },
        _ => null,
    };
}
