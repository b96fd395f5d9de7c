using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Containers;
using Portal.Web.Api;

namespace Portal.Tests.Unit.Faults;

/// <summary>
/// What an API caller is told when the fault is the portal's surroundings, not the request: a store another writer
/// kept busy past the timeout (503), an engine that cannot be reached (503), one that refused (409). The full disk is
/// exercised for real in FullDiskTests.
/// </summary>
public sealed class FaultProblemsTests
{
    [Fact]
    public void A_store_kept_busy_past_the_timeout_is_a_503_saying_nothing_changed()
    {
        var problem = PortalExceptionHandler.ToProblem(new DbUpdateException("save failed", new SqliteException("database is locked", 5)))!;
        Assert.Equal(503, problem.Status);
        Assert.Contains("nothing was changed", problem.Detail);
    }

    [Fact]
    public void An_unreachable_engine_is_a_503_and_a_refusing_one_a_409()
    {
        Assert.Equal(503, PortalExceptionHandler.ToProblem(new EngineUnreachableException("The Docker daemon at unix:/x is not reachable."))!.Status);
        Assert.Equal(409, PortalExceptionHandler.ToProblem(new ContainerManagerException("The image was not found."))!.Status);
    }

    [Fact]
    public void A_full_disk_is_a_507_wherever_it_surfaces_and_names_no_path()
    {
        var problem = PortalExceptionHandler.ToProblem(new InvalidOperationException("upload", new IOException("No space left on device : '/data/files/.tmp/x'", 28)))!;
        Assert.Equal(507, problem.Status);
        Assert.DoesNotContain("/data", problem.Detail);
        Assert.Equal(507, PortalExceptionHandler.ToProblem(new SqliteException("database or disk is full", 13))!.Status);
    }
}
