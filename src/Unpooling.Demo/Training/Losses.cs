using System.Numerics;

namespace Unpooling.Demo.Training;

/// <summary>The two tasks' losses with their gradients, averaged over pixels.</summary>
internal static class Losses
{
    /// <summary>Mean squared error <c>mean((y - t)^2)</c>; writes <c>2 (y - t) / n</c> into <paramref name="gradient"/>.</summary>
    public static double MeanSquared<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> target, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        T scale = T.CreateTruncating(2.0 / output.Length);
        for (int i = 0; i < output.Length; i++)
        {
            T d = output[i] - target[i];
            sum += double.CreateTruncating(d * d);
            gradient[i] = scale * d;
        }

        return sum / output.Length;
    }

    /// <summary>
    /// Softmax cross-entropy over the channel axis of <c>[B, K, H, W]</c> logits against per-pixel labels, averaged
    /// over the <c>B*H*W</c> pixels; writes <c>(softmax - onehot) / pixels</c> into <paramref name="gradient"/>.
    /// </summary>
    public static double CrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<byte> labels, int classes, int plane, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int pixels = labels.Length;
        double sum = 0;
        T inverse = T.CreateTruncating(1.0 / pixels);
        for (int p = 0; p < pixels; p++)
        {
            int n = p / plane, offset = (n * classes * plane) + (p % plane);
            T max = logits[offset];
            for (int k = 1; k < classes; k++)
            {
                max = T.Max(max, logits[offset + (k * plane)]);
            }

            T total = T.Zero;
            for (int k = 0; k < classes; k++)
            {
                T e = T.Exp(logits[offset + (k * plane)] - max);
                gradient[offset + (k * plane)] = e;
                total += e;
            }

            int label = labels[p];
            sum += double.CreateTruncating(T.Log(total) - (logits[offset + (label * plane)] - max));
            for (int k = 0; k < classes; k++)
            {
                T probability = gradient[offset + (k * plane)] / total;
                gradient[offset + (k * plane)] = (probability - (k == label ? T.One : T.Zero)) * inverse;
            }
        }

        return sum / pixels;
    }

    /// <summary>The class of largest logit per pixel.</summary>
    public static void ArgMax<T>(ReadOnlySpan<T> logits, int classes, int plane, Span<byte> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int p = 0; p < labels.Length; p++)
        {
            int offset = ((p / plane) * classes * plane) + (p % plane), best = 0;
            for (int k = 1; k < classes; k++)
            {
                if (logits[offset + (k * plane)] > logits[offset + (best * plane)])
                {
                    best = k;
                }
            }

            labels[p] = (byte)best;
        }
    }
}
