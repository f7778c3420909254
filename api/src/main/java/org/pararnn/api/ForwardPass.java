package org.pararnn.api;

import org.pararnn.api.spi.Recurrence;

/**
 * The result of {@link RnnSolver#forward}: outputs, all states, the final state (to carry into the next
 * chunk of a long stream) and the solve report. It keeps what the backward pass needs ({@code x},
 * {@code u}, the states); do not modify {@code x} between forward and backward.
 */
public final class ForwardPass {
    private final Recurrence recurrence;
    private final float[] x;
    private final float[] states;
    private final float[] output;
    private final SolveReport report;

    ForwardPass(Recurrence recurrence, float[] x, float[] states, float[] output, SolveReport report) {
        this.recurrence = recurrence;
        this.x = x;
        this.states = states;
        this.output = output;
        this.report = report;
    }

    public Cell cell() {
        return recurrence.cell();
    }

    public int batch() {
        return recurrence.batch();
    }

    public int steps() {
        return recurrence.steps();
    }

    /** {@code y [B][T][outputWidth]}: the output slice of the states (the states themselves when they coincide). */
    public float[] output() {
        return output;
    }

    /** {@code h_1..h_T} as {@code [B][T][S]}. */
    public float[] states() {
        return states;
    }

    /** The projected input {@code u [B][T][P]}. */
    public float[] projected() {
        return recurrence.u();
    }

    public float[] input() {
        return x;
    }

    /** {@code h_T [B][S]}: pass it as the initial state of the next chunk. */
    public float[] finalState() {
        int s = recurrence.width();
        int steps = recurrence.steps();
        float[] out = new float[recurrence.batch() * s];
        for (int b = 0; b < recurrence.batch(); b++) {
            System.arraycopy(states, (b * steps + steps - 1) * s, out, b * s, s);
        }
        return out;
    }

    public SolveReport report() {
        return report;
    }

    Recurrence recurrence() {
        return recurrence;
    }
}
