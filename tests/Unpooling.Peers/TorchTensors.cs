using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Unpooling.Peers;

/// <summary>
/// .NET arrays to libtorch tensors and back, for every element type both sides have: float, double and int64 move
/// directly; Half moves through float and the 8- to 32-bit integers through int64, converted by libtorch's
/// <c>.to(dtype)</c>, which is exact for them (every value of those types is a float or an int64).
/// </summary>
public static class TorchTensors
{
    /// <summary>libtorch's element type for <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException">libtorch has no such element type.</exception>
    public static ScalarType TypeOf<T>()
        => typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(Half) ? ScalarType.Float16
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(short) ? ScalarType.Int16
        : typeof(T) == typeof(sbyte) ? ScalarType.Int8
        : typeof(T) == typeof(byte) ? ScalarType.Byte
        : throw new NotSupportedException($"libtorch has no element type for {typeof(T).Name}.");

    /// <summary>A new dense tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/>.</summary>
    public static Tensor From<T>(T[] data, long[] shape)
        where T : unmanaged, INumberBase<T>
    {
        ScalarType type = TypeOf<T>();
        if (typeof(T) == typeof(float))
        {
            return torch.tensor((float[])(object)data, shape).clone();
        }

        if (typeof(T) == typeof(double))
        {
            return torch.tensor((double[])(object)data, shape).clone();
        }

        if (typeof(T) == typeof(long))
        {
            return torch.tensor((long[])(object)data, shape).clone();
        }

        using Tensor wide = typeof(T) == typeof(Half)
            ? torch.tensor(data.Select(float.CreateChecked).ToArray(), shape)
            : torch.tensor(data.Select(long.CreateChecked).ToArray(), shape);
        return wide.to(type).contiguous();
    }

    /// <summary>The elements of <paramref name="tensor"/> (of <typeparamref name="T"/>'s libtorch type) in row-major order.</summary>
    public static T[] Read<T>(Tensor tensor)
        where T : unmanaged, INumberBase<T>
    {
        if (typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(long))
        {
            return tensor.contiguous().data<T>().ToArray();
        }

        return typeof(T) == typeof(Half)
            ? tensor.to(ScalarType.Float32).contiguous().data<float>().ToArray().Select(T.CreateChecked).ToArray()
            : tensor.to(ScalarType.Int64).contiguous().data<long>().ToArray().Select(T.CreateChecked).ToArray();
    }
}
