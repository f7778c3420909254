package org.pararnn.api.ops;

/**
 * Softmax cross-entropy on heap arrays, the host ops' loss: per row {@code lse = max + log Σ exp(x − max)}
 * in double (a float log-sum-exp over a large vocabulary loses the small probabilities the gradient is made
 * of), the forward and the gradient each recomputing it, so nothing but three sums crosses between them.
 */
public final class LossKernels {
    private LossKernels() {
    }

    /** Index of the first largest value of {@code x[off, off + v)}. */
    static int argMax(float[] x, int off, int v) {
        float max = Float.NEGATIVE_INFINITY;
        int arg = 0;
        for (int j = 0; j < v; j++) {
            if (x[off + j] > max) {
                max = x[off + j];
                arg = j;
            }
        }
        return arg;
    }

    /** {@code log Σ_j exp(x[off + j])}, in double, shifted by the row's maximum. */
    static double logSumExp(float[] x, int off, int v) {
        double max = x[off + argMax(x, off, v)];
        double sum = 0;
        for (int j = 0; j < v; j++) {
            // In double: a float difference would round (x − max) and cost ~1e-7 of each term.
            sum += Math.exp(x[off + j] - max);
        }
        return max + Math.log(sum);
    }

    /**
     * Rows {@code [from, to)}: each row's arg-max into {@code predictions}, and, over rows with a target
     * ({@code ≥ 0}, checked by the caller), {@code sums[0] += lse − x[target]}, {@code sums[1] += lse²},
     * {@code sums[2] += 1}, in row order.
     */
    public static void forward(float[] x, int xOff, int ld, int[] targets, int[] predictions, int from, int to, int v,
                               double[] sums) {
        for (int r = from; r < to; r++) {
            int off = xOff + r * ld;
            predictions[r] = argMax(x, off, v);
            int t = targets[r];
            if (t < 0) {
                continue;
            }
            double l = logSumExp(x, off, v);
            sums[0] += l - x[off + t];
            sums[1] += l * l;
            sums[2] += 1;
        }
    }

    /**
     * Rows {@code [from, to)} of {@code dx = (softmax(x)·(1 + 2·zLoss·lse) − onehot(target)) / counted}, zero
     * for rows without a target; {@code dx} may be {@code x} itself (each row is read before it is written).
     */
    public static void backward(float[] x, int xOff, int ldx, int[] targets, float zLoss, int counted, float[] dx, int dxOff,
                                int lddx, int from, int to, int v) {
        for (int r = from; r < to; r++) {
            int in = xOff + r * ldx;
            int out = dxOff + r * lddx;
            int t = targets[r];
            if (t < 0 || counted == 0) {
                java.util.Arrays.fill(dx, out, out + v, 0f);
                continue;
            }
            double l = logSumExp(x, in, v);
            double factor = (1 + 2 * zLoss * l) / counted;
            for (int j = 0; j < v; j++) {
                double p = Math.exp(x[in + j] - l);
                dx[out + j] = (float) (p * factor - (j == t ? 1.0 / counted : 0));
            }
        }
    }
}
