package org.pararnn.conformance.f64;

import java.util.Map;

/** The reference's head projection indexed literally: {@code u[v, h·D/H+j] = Σ_i x[h·N/H+i]·B[h,i,v,j] + b[v, h·D/H+j]}. */
final class F64Projection {
    final int n;
    final int d;
    final int heads;
    final float[] bw;
    final float[] bias;
    final int gates;

    F64Projection(int n, int d, int heads, float[] bw, float[] bias) {
        this(n, d, heads, 3, bw, bias);
    }

    F64Projection(int n, int d, int heads, int gates, float[] bw, float[] bias) {
        this.gates = gates;
        this.n = n;
        this.d = d;
        this.heads = heads;
        this.bw = bw;
        this.bias = bias;
    }

    private int bIndex(int h, int i, int v, int j) {
        int nh = n / heads;
        int dh = d / heads;
        return ((h * nh + i) * gates + v) * dh + j;
    }

    double[] project(double[] x) {
        int nh = n / heads;
        int dh = d / heads;
        double[] u = new double[gates * d];
        for (int v = 0; v < gates; v++) {
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < dh; j++) {
                    double acc = bias[v * d + h * dh + j];
                    for (int i = 0; i < nh; i++) {
                        acc += x[h * nh + i] * bw[bIndex(h, i, v, j)];
                    }
                    u[v * d + h * dh + j] = acc;
                }
            }
        }
        return u;
    }

    void backward(double[] x, double[] gu, double[] gx, Map<String, double[]> grads) {
        int nh = n / heads;
        int dh = d / heads;
        double[] gb = grads.get("B");
        double[] gbias = grads.get("b");
        for (int v = 0; v < gates; v++) {
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < dh; j++) {
                    double g = gu[v * d + h * dh + j];
                    gbias[v * d + h * dh + j] += g;
                    for (int i = 0; i < nh; i++) {
                        gb[bIndex(h, i, v, j)] += x[h * nh + i] * g;
                        gx[h * nh + i] += bw[bIndex(h, i, v, j)] * g;
                    }
                }
            }
        }
    }
}
