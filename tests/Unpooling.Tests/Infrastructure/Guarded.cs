namespace Unpooling.Tests.Infrastructure;

/// <summary>Receives a destination span (spans cannot be captured by lambdas of the usual delegate types).</summary>
internal delegate void Writer<T>(Span<T> destination);

/// <summary>Runs an operator into a <see cref="GuardedBuffer{T}"/> and returns what it wrote.</summary>
internal static class Guarded
{
    /// <summary>
    /// The destination starts as the sentinel (a NaN no operator produces), so an element the operator forgot to
    /// write differs from any expected value; the guards around it must survive.
    /// </summary>
    public static T[] Run<T>(int length, Writer<T> write, string context)
        where T : unmanaged
    {
        var buffer = new GuardedBuffer<T>(length);
        write(buffer.Span);
        buffer.AssertGuardsIntact(context);
        return buffer.ToArray();
    }
}
