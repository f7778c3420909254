package org.pararnn.conformance.f64;

import java.util.Map;

/**
 * A cell written in float64 straight from docs/design.md §2's equations, with its own hand-derived local
 * derivatives; independent of the float32 implementation (which it is used to check), and itself
 * checked against finite differences.
 */
public interface F64Cell {
    int inputs();

    int state();

    /** Offset and width of the output slice of the state. */
    int outOffset();

    int outWidth();

    double[] project(double[] x);

    double[] step(double[] h, double[] u);

    /** Given {@code lam = ∂L/∂h'}: writes {@code gh = ∂L/∂h}, {@code gu = ∂L/∂u}, adds recurrent parameter gradients. */
    void stepBackward(double[] h, double[] u, double[] lam, double[] gh, double[] gu, Map<String, double[]> grads);

    /** Given {@code gu}: writes {@code gx}, adds projection parameter gradients. */
    void projectBackward(double[] x, double[] gu, double[] gx, Map<String, double[]> grads);

    /** Zero gradient arrays keyed by parameter name. */
    Map<String, double[]> zeroGrads();
}
