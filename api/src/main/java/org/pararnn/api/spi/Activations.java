package org.pararnn.api.spi;

/**
 * Element-wise activations over arrays, supplied by a backend so that the layers around the
 * recurrence (gates, SiLU) run at the backend's speed: the CPU backend's are SIMD, a few ulp from the
 * correctly rounded value. Implementations are deterministic: the result of an element never depends on
 * the array's length, offset or the thread that computes it.
 */
public interface Activations {

    /** {@code x[off, off+n) ← σ(x) = 1 / (1 + e^{−x})}, in place. */
    void sigmoid(float[] x, int off, int n);

    /** Human description for probes and logs. */
    String describe();

    /** {@code Math.exp} in double precision, rounded once: the reference and the default of any backend. */
    Activations STANDARD = new Activations() {
        @Override
        public void sigmoid(float[] x, int off, int n) {
            for (int i = off; i < off + n; i++) {
                x[i] = 1f / (1f + (float) Math.exp(-x[i]));
            }
        }

        @Override
        public String describe() {
            return "Math.exp (double precision)";
        }
    };
}
