using System.Numerics;

namespace Unpooling.Demo.Training;

/// <summary>
/// Adam (Kingma and Ba, 2015) with PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8) over a network's trainable
/// layers: its moment buffers are allocated once; a step updates in a fixed order, so the same gradients give the same
/// weights.
/// </summary>
internal sealed class Adam<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;

    private readonly IReadOnlyList<ITrainable<T>> _parameters;
    private readonly (T[] M, T[] V, T[] MBias, T[] VBias)[] _moments;
    private readonly double _learningRate;
    private int _step;

    public Adam(IReadOnlyList<ITrainable<T>> parameters, double learningRate)
    {
        _parameters = parameters;
        _learningRate = learningRate;
        _moments = [.. parameters.Select(p => (new T[p.Weight.Length], new T[p.Weight.Length], new T[p.Bias.Length], new T[p.Bias.Length]))];
    }

    public void Step()
    {
        _step++;
        double correction1 = 1 - Math.Pow(Beta1, _step), correction2 = 1 - Math.Pow(Beta2, _step);
        for (int i = 0; i < _parameters.Count; i++)
        {
            ITrainable<T> p = _parameters[i];
            Update(p.Weight, p.WeightGradient, _moments[i].M, _moments[i].V, correction1, correction2);
            Update(p.Bias, p.BiasGradient, _moments[i].MBias, _moments[i].VBias, correction1, correction2);
        }
    }

    private void Update(Span<T> value, ReadOnlySpan<T> gradient, T[] m, T[] v, double correction1, double correction2)
    {
        T b1 = T.CreateTruncating(Beta1), b2 = T.CreateTruncating(Beta2), oneMinusB1 = T.One - b1, oneMinusB2 = T.One - b2;
        T stepSize = T.CreateTruncating(_learningRate / correction1), rootCorrection2 = T.CreateTruncating(Math.Sqrt(correction2)), eps = T.CreateTruncating(Epsilon);
        for (int j = 0; j < value.Length; j++)
        {
            T g = gradient[j];
            m[j] = (b1 * m[j]) + (oneMinusB1 * g);
            v[j] = (b2 * v[j]) + (oneMinusB2 * g * g);
            value[j] -= stepSize * m[j] / ((T.Sqrt(v[j]) / rootCorrection2) + eps);
        }
    }
}
