namespace Unpooling.Tests.Infrastructure;

/// <summary>Exception assertions in the shape of the validation rules: the exact type and the parameter named.</summary>
internal static class Throws
{
    public static TException Param<TException>(string paramName, Action action)
        where TException : ArgumentException
    {
        TException e = Assert.Throws<TException>(action);
        Assert.True(e.ParamName == paramName, $"ParamName is '{e.ParamName}', expected '{paramName}'; the exception: {e}");
        Assert.False(string.IsNullOrWhiteSpace(e.Message), "the exception should explain the bad value");
        return e;
    }
}
