package org.pararnn.lm.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An independent float64 implementation of {@link LanguageModel}'s loss, written from docs/design.md §2 and the
 * block definitions (not from the float32 code): parameters by name, plain loops, sequential cells. Used
 * to check the float32 loss and, by central finite differences, every analytic gradient.
 */
final class F64Model {
    final ModelConfig c;
    final Map<String, double[]> p = new LinkedHashMap<>();

    F64Model(LanguageModel model) {
        this.c = model.config();
        for (var param : model.parameters()) {
            float[] v = param.data();
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                d[i] = v[i];
            }
            p.put(param.name(), d);
        }
    }

    static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    static double silu(double v) {
        return v * sig(v);
    }

    /** {@code y[r] = W·x[r]} with {@code W [out][in]}. */
    static double[] linear(double[] x, double[] w, int rows, int in, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) {
                    s += w[o * in + i] * x[r * in + i];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    static double[] rms(double[] x, double[] g, int rows, int d) {
        double[] y = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int j = 0; j < d; j++) {
                ss += x[r * d + j] * x[r * d + j];
            }
            double inv = 1 / Math.sqrt(ss / d + 1e-6);
            for (int j = 0; j < d; j++) {
                y[r * d + j] = x[r * d + j] * inv * g[j];
            }
        }
        return y;
    }

    /** The head-wise projection {@code u[v, h·D/H + j] = Σ_i x[h·N/H + i]·B[h,i,v,j] + b[v, h·D/H + j]}. */
    double[] project(String pre, double[] x, int rows, int n, int d) {
        int h = c.heads();
        double[] bw = p.get(pre + "B");
        double[] bb = p.get(pre + "b");
        int nh = n / h;
        int dh = d / h;
        double[] u = new double[rows * 3 * d];
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < 3; v++) {
                for (int hd = 0; hd < h; hd++) {
                    for (int j = 0; j < dh; j++) {
                        double s = bb[v * d + hd * dh + j];
                        for (int i = 0; i < nh; i++) {
                            s += x[r * n + hd * nh + i] * bw[((hd * nh + i) * 3 + v) * dh + j];
                        }
                        u[r * 3 * d + v * d + hd * dh + j] = s;
                    }
                }
            }
        }
        return u;
    }

    /** Runs the cell sequentially over {@code [B][T][D]} inputs; returns the outputs {@code h}. */
    double[] cell(String pre, double[] x, int batch, int steps, int d) {
        int rows = batch * steps;
        double[] u = project(pre, x, rows, d, d);
        double[] a = p.get(pre + "A");
        double[] cc = p.get(pre + "C");
        double[] y = new double[rows * d];
        boolean gru = c.cell().equals("paragru");
        for (int b = 0; b < batch; b++) {
            double[] h = new double[d];
            double[] cs = new double[d];
            for (int t = 0; t < steps; t++) {
                int r = b * steps + t;
                for (int j = 0; j < d; j++) {
                    double u0 = u[r * 3 * d + j];
                    double u1 = u[r * 3 * d + d + j];
                    double u2 = u[r * 3 * d + 2 * d + j];
                    if (gru) {
                        double z = sig(a[j] * h[j] + u0);
                        double rr = sig(a[d + j] * h[j] + u1);
                        double nn = Math.tanh(a[2 * d + j] * h[j] * rr + u2);
                        h[j] = z * nn + (1 - z) * h[j];
                    } else {
                        // rows of A, u: f, o, c; C rows f, o
                        double f = sig(a[j] * h[j] + u0 + cc[j] * cs[j]);
                        double ct = Math.tanh(a[2 * d + j] * h[j] + u2);
                        double cn = f * cs[j] + (1 - f) * ct;
                        double o = sig(a[d + j] * h[j] + u1 + cc[d + j] * cn);
                        cs[j] = cn;
                        h[j] = o * Math.tanh(cn);
                    }
                    y[r * d + j] = h[j];
                }
            }
        }
        return y;
    }

    /** What the model adds to the embedding at step {@code t}: its learned position, or the fixed sinusoid. */
    double position(int t, int j) {
        if (c.positions() == 0) {
            return 0;
        }
        if (c.positionEncoding() == PositionEncoding.LEARNED) {
            return p.get("pos.weight")[t * c.dim() + j];
        }
        double w = Math.pow(10000.0, -2.0 * (j / 2) / c.dim());
        return j % 2 == 0 ? Math.sin(t * w) : Math.cos(t * w);
    }

    double loss(int[] tokens, int[] targets, int batch, int steps) {
        int d = c.dim();
        int v = c.vocab();
        int rows = batch * steps;
        double[] e = p.get("embed.weight");
        double[] x = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                x[r * d + j] = e[tokens[r] * d + j] + position(r % steps, j);
            }
        }
        double[] logits;
        if (c.architecture() == Architecture.CELL) {
            double[] y = cell("cell.", x, batch, steps, d);
            logits = linear(y, p.get("head.weight"), rows, d, v);
            double[] hb = p.get("head.bias");
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < v; j++) {
                    logits[r * v + j] += hb[j];
                }
            }
        } else {
            int k = c.convKernel();
            int f = c.mlpHidden();
            boolean block = c.architecture() == Architecture.BLOCK; // one RnnBlock, no MLP, its own head matrix
            for (int l = 0; l < c.layers(); l++) {
                String pre = "layers." + l + ".rnn.";
                double[] a = rms(x, p.get(pre + "norm.weight"), rows, d);
                double[] pr = linear(a, p.get(pre + "in_proj.weight"), rows, d, 2 * d);
                double[] w = p.get(pre + "conv.weight");
                double[] cb = p.get(pre + "conv.bias");
                double[] s = new double[rows * d];
                for (int b = 0; b < batch; b++) {
                    for (int t = 0; t < steps; t++) {
                        for (int j = 0; j < d; j++) {
                            double acc = cb[j];
                            for (int q = 0; q < k; q++) {
                                int src = t - (k - 1) + q;
                                if (src >= 0) {
                                    acc += w[j * k + q] * pr[(b * steps + src) * 2 * d + j];
                                }
                            }
                            s[(b * steps + t) * d + j] = silu(acc);
                        }
                    }
                }
                double[] y = rms(cell(pre + "cell.", s, batch, steps, d), p.get(pre + "out_norm.weight"), rows, d);
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < d; j++) {
                        y[r * d + j] *= silu(pr[r * 2 * d + d + j]);
                    }
                }
                double[] o = linear(y, p.get(pre + "out_proj.weight"), rows, d, d);
                double[] scale = p.get(pre + "scale");
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < d; j++) {
                        x[r * d + j] += scale[j] * o[r * d + j];
                    }
                }
                if (block) {
                    continue;
                }
                String mp = "layers." + l + ".mlp.";
                double[] am = rms(x, p.get(mp + "norm.weight"), rows, d);
                double[] hh = linear(am, p.get(mp + "up.weight"), rows, d, 2 * f);
                double[] m = new double[rows * f];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < f; j++) {
                        m[r * f + j] = silu(hh[r * 2 * f + j]) * hh[r * 2 * f + f + j];
                    }
                }
                double[] om = linear(m, p.get(mp + "down.weight"), rows, f, d);
                for (int i = 0; i < rows * d; i++) {
                    x[i] += om[i];
                }
            }
            logits = linear(rms(x, p.get("norm.weight"), rows, d), block ? p.get("head.weight") : e, rows, d, v);
        }
        double ce = 0;
        double z = 0;
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] < 0) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                max = Math.max(max, logits[r * v + j]);
            }
            double sum = 0;
            for (int j = 0; j < v; j++) {
                sum += Math.exp(logits[r * v + j] - max);
            }
            double lse = max + Math.log(sum);
            ce += lse - logits[r * v + targets[r]];
            z += lse * lse;
            counted++;
        }
        return ce / counted + c.zLoss() * z / counted;
    }
}
