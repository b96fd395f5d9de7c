namespace Portal.Tests.Unit.Support;

/// <summary>
/// Tests that reserve every CPU of the swarm node (to see a task wait for room) cannot share the node with other tests'
/// reservations: this collection runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WholeNode
{
    public const string Name = "whole swarm node";
}
