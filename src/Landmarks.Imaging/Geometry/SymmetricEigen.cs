namespace Landmarks.Imaging.Geometry;

/// <summary>Eigenvalues and eigenvectors (columns) of a small symmetric matrix by cyclic Jacobi rotations.</summary>
public static class SymmetricEigen
{
    public static (double[] Values, double[,] Vectors) Decompose(double[,] matrix)
    {
        int size = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[size, size];
        for (int k = 0; k < size; k++) v[k, k] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < size; p++)
                for (int q = p + 1; q < size; q++) off += a[p, q] * a[p, q];
            if (off < 1e-30) break;
            for (int p = 0; p < size; p++)
                for (int q = p + 1; q < size; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), sn = t * c;
                    for (int k = 0; k < size; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - sn * akq;
                        a[k, q] = sn * akp + c * akq;
                    }
                    for (int k = 0; k < size; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - sn * aqk;
                        a[q, k] = sn * apk + c * aqk;
                    }
                    for (int k = 0; k < size; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - sn * vkq;
                        v[k, q] = sn * vkp + c * vkq;
                    }
                }
        }
        var values = new double[size];
        for (int k = 0; k < size; k++) values[k] = a[k, k];
        return (values, v);
    }
}
