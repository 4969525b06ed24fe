package io.streamrec.score.model;

/** Solves A·x = b for a symmetric positive-definite A (lower triangle given, row-major n × n), by Cholesky. */
public final class Cholesky {
    private Cholesky() {
    }

    /** Overwrites the lower triangle of {@code a} with its factor L (A = L·Lᵀ) and returns x. */
    static double[] solve(double[] a, double[] b, int n) {
        for (int j = 0; j < n; j++) {
            double diag = a[j * n + j];
            for (int k = 0; k < j; k++) {
                diag -= a[j * n + k] * a[j * n + k];
            }
            if (!(diag > 0)) {
                throw new IllegalArgumentException("matrix is not positive definite (pivot " + j + " = " + diag + ")");
            }
            double l = Math.sqrt(diag);
            a[j * n + j] = l;
            for (int i = j + 1; i < n; i++) {
                double v = a[i * n + j];
                for (int k = 0; k < j; k++) {
                    v -= a[i * n + k] * a[j * n + k];
                }
                a[i * n + j] = v / l;
            }
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double v = b[i];
            for (int k = 0; k < i; k++) {
                v -= a[i * n + k] * y[k];
            }
            y[i] = v / a[i * n + i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double v = y[i];
            for (int k = i + 1; k < n; k++) {
                v -= a[k * n + i] * x[k];
            }
            x[i] = v / a[i * n + i];
        }
        return x;
    }
}
