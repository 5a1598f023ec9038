using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Unpooling.Internal;

namespace Unpooling.Tests.Simd;

/// <summary>
/// The Half order keys (<see cref="HalfKey"/>) over all 65536 bit patterns: keys order as the Half values compare
/// (±0 equal, nothing above a NaN), every width's loads carry the key of the scalar definition with the element's
/// exact bits, its NaN test is the value's, and its stores write the carried bits back unchanged.
/// </summary>
public sealed unsafe class HalfKeyTests
{
    private static Half FromBits(int bits) => Unsafe.BitCast<ushort, Half>((ushort)bits);

    [Fact]
    public void KeysOrderAsTheHalfValuesAndNothingExceedsANaN()
    {
        // Every value against a spread of others (all specials among them), in both directions.
        int[] others = [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7C01, 0x7E00, 0xFE00, 0xFFFF];
        var random = new Random(7);
        for (int a = 0; a <= ushort.MaxValue; a++)
        {
            Half x = FromBits(a);
            short kx = HalfKey.Key((ushort)a);
            foreach (int b in others.Append(random.Next(0x10000)))
            {
                Half y = FromBits(b);
                short ky = HalfKey.Key((ushort)b);
                if (Half.IsNaN(y))
                {
                    Assert.False(kx > ky, $"0x{a:X4} above the NaN 0x{b:X4}");
                }
                else if (!Half.IsNaN(x))
                {
                    Assert.True(x > y == kx > ky, $"0x{a:X4} > 0x{b:X4}");
                    Assert.True(x == y == (kx == ky), $"0x{a:X4} == 0x{b:X4}");
                }
            }
        }
    }

    [Fact]
    public void EveryWidthLoadsKeysAndBitsAndStoresTheBitsBack()
    {
        var bits = new ushort[0x10000 + 128];
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = (ushort)i;
        }

        var back128 = new ushort[0x10000];
        var back256 = new ushort[0x10000];
        var back512 = new ushort[0x10000];
        fixed (ushort* s = bits)
        fixed (ushort* d128 = back128)
        fixed (ushort* d256 = back256)
        fixed (ushort* d512 = back512)
        {
            for (int i = 0; i < 0x10000; i += 32)
            {
                Half* at = (Half*)(s + i);
                HalfLanes512 wide = HalfSimd512<Half>.Load(at);
                HalfLanes512 nan = HalfSimd512<Half>.IsNaN(wide);
                for (int lane = 0; lane < 32; lane++)
                {
                    Assert.Equal(HalfKey.Key((ushort)(i + lane)), wide.Key.AsInt16()[lane]);
                    Assert.Equal(i + lane, wide.Bits[lane]);
                    Assert.Equal(Half.IsNaN(FromBits(i + lane)), nan.Key[lane] == ushort.MaxValue);
                }

                HalfSimd512<Half>.LoadDeinterleave(at, out HalfLanes512 even, out HalfLanes512 odd);
                HalfLanes512 strided = HalfSimd512<Half>.LoadStrided(at, 3);
                for (int lane = 0; lane < 32; lane++)
                {
                    Assert.Equal(HalfKey.Key((ushort)(i + (2 * lane))), even.Key.AsInt16()[lane]);
                    Assert.Equal((ushort)(i + (2 * lane) + 1), odd.Bits[lane]);
                    Assert.Equal(HalfKey.Key((ushort)(i + (3 * lane))), strided.Key.AsInt16()[lane]);
                }

                HalfSimd512<Half>.Store(wide, (Half*)(d512 + i));
                for (int j = 0; j < 32; j += 16)
                {
                    HalfSimd256<Half>.Store(HalfSimd256<Half>.Load(at + j), (Half*)(d256 + i + j));
                }

                for (int j = 0; j < 32; j += 8)
                {
                    HalfLanes128 narrow = HalfSimd128<Half>.Load(at + j);
                    Assert.Equal(HalfKey.Key((ushort)(i + j + 7)), narrow.Key.AsInt16()[7]);
                    HalfSimd128<Half>.Store(narrow, (Half*)(d128 + i + j));
                }
            }
        }

        ushort[] expected = bits.AsSpan(0, 0x10000).ToArray();
        Assert.Equal(expected, back128);
        Assert.Equal(expected, back256);
        Assert.Equal(expected, back512);
    }
}
