namespace Unpooling.Tests.Infrastructure;

/// <summary>The fixed-position unpooling family, for tests that run one rule through all three operators.</summary>
public enum BlockOperator
{
    Fixed,
    Repeat,
    Random,
}
