using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Unpooling.Internal;

namespace Unpooling.Tests.Simd;

/// <summary>
/// The Half order keys (<see cref="HalfKey"/>) over all 65536 bit patterns: the map is invertible (every NaN payload,
/// signalling bit and zero sign comes back), keys compare as the Half values do (including NaN's false compares and
/// ±0's equality), and the vector loads and stores of every Half width agree with the scalar map.
/// </summary>
public sealed unsafe class HalfKeyTests
{
    private static Half FromBits(int bits) => Unsafe.BitCast<ushort, Half>((ushort)bits);

    [Fact]
    public void EveryBitPatternRoundTrips()
    {
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            Assert.Equal(bits, HalfKey.Bits(HalfKey.Key((ushort)bits)));
        }
    }

    [Fact]
    public void KeysCompareAsTheHalfValues()
    {
        // Every value against a spread of others (all specials among them), in both directions.
        int[] others = [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7C01, 0x7E00, 0xFE00, 0xFFFF];
        var random = new Random(7);
        for (int a = 0; a <= ushort.MaxValue; a++)
        {
            Half x = FromBits(a);
            float kx = HalfKey.Key((ushort)a);
            Assert.Equal(Half.IsNaN(x), float.IsNaN(kx));
            foreach (int b in others.Append(random.Next(0x10000)))
            {
                Half y = FromBits(b);
                float ky = HalfKey.Key((ushort)b);
                Assert.True(x > y == kx > ky, $"0x{a:X4} > 0x{b:X4}");
                Assert.True(x == y == (kx == ky), $"0x{a:X4} == 0x{b:X4}");
            }
        }
    }

    [Fact]
    public void VectorLoadsAndStoresAgreeWithTheScalarMap()
    {
        var bits = new ushort[0x10000 + 64];
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = (ushort)i;
        }

        var back = new ushort[bits.Length];
        fixed (ushort* s = bits)
        fixed (ushort* d = back)
        {
            for (int i = 0; i <= 0x10000 - 16; i += 16)
            {
                Half* at = (Half*)(s + i);
                Check(HalfSimd128<Half>.Load(at), i);
                Check(HalfSimd256<Half>.Load(at), i);
                Check(HalfSimd512<Half>.Load(at), i);
                HalfSimd512<Half>.LoadDeinterleave(at, out Vector512<float> even, out Vector512<float> odd);
                for (int lane = 0; lane < 16; lane++)
                {
                    Assert.Equal(BitConverter.SingleToUInt32Bits(HalfKey.Key((ushort)(i + (2 * lane)))), even.AsUInt32()[lane]);
                    Assert.Equal(BitConverter.SingleToUInt32Bits(HalfKey.Key((ushort)(i + (2 * lane) + 1))), odd.AsUInt32()[lane]);
                }

                Assert.Equal(HalfSimd512<Half>.LoadStrided(at, 3).AsUInt32(), Keys(i, 3));
                HalfSimd128<Half>.Store(HalfSimd128<Half>.Load(at), (Half*)(d + i));
                HalfSimd256<Half>.Store(HalfSimd256<Half>.Load(at + 4), (Half*)(d + i + 4));
                HalfSimd512<Half>.Store(HalfSimd512<Half>.Load(at), (Half*)(d + i));
            }
        }

        Assert.Equal(bits.AsSpan(0, 0x10000).ToArray(), back.AsSpan(0, 0x10000).ToArray());
    }

    private static void Check<TVector>(TVector keys, int first)
        where TVector : struct
    {
        ref float lane = ref Unsafe.As<TVector, float>(ref keys);
        for (int i = 0; i < Unsafe.SizeOf<TVector>() / 4; i++)
        {
            Assert.Equal(BitConverter.SingleToUInt32Bits(HalfKey.Key((ushort)(first + i))), BitConverter.SingleToUInt32Bits(Unsafe.Add(ref lane, i)));
        }
    }

    private static Vector512<uint> Keys(int first, int stride)
    {
        var keys = new uint[16];
        for (int i = 0; i < 16; i++)
        {
            keys[i] = BitConverter.SingleToUInt32Bits(HalfKey.Key((ushort)(first + (i * stride))));
        }

        return Vector512.Create(keys);
    }
}
