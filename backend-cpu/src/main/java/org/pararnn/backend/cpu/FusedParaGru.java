package org.pararnn.backend.cpu;

import org.pararnn.api.Gradients;
import org.pararnn.api.SolveReport;
import org.pararnn.api.Tensor;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;

/**
 * ParaGRU ({@code pararnn.paragru}): {@code z = σ(A_z h + u_z)}, {@code r = σ(A_r h + u_r)},
 * {@code n = tanh(A_h h r + u_h)}, {@code h' = z n + (1−z) h}, per feature, in the same float
 * operation order as the cell's own step. Two strategies: sequential in time (parallel over batch ×
 * features) and fused Newton over time chunks ({@link GruNewton}) for shapes too narrow to fill the
 * machine; {@link FusedStrategy} picks.
 */
final class FusedParaGru extends FeatureParallelSolver {
    private final FusedStrategy strategy;
    private final GruNewton newton;

    FusedParaGru(CpuLoop loop, DiagonalKernels kernels, int width, Tensor a, FusedStrategy strategy) {
        super(loop, kernels.fusedRows(), width, a, null);
        this.strategy = strategy;
        this.newton = new GruNewton(this, kernels);
    }

    @Override
    String cellName() {
        return "ParaGRU";
    }

    /** Time chunks for the Newton strategy at this shape, 0 for sequential in time. */
    int timeChunks(int batch, int steps) {
        return switch (strategy) {
            case SEQUENTIAL -> 0;
            case NEWTON -> newton.chunks(batch, steps);
            case AUTO -> newton.pays(batch, steps) ? newton.chunks(batch, steps) : 0;
        };
    }

    @Override
    public SolveReport forward(Recurrence p, float[] states) {
        int chunks = timeChunks(p.batch(), p.steps());
        return chunks == 0 ? sequentialForward(p, states) : newton.forward(p, states, chunks);
    }

    @Override
    public SolveReport backward(Recurrence p, float[] states, float[] gradStates, float[] gradU, Gradients grads,
                                float[] gradInit) {
        // The chunked adjoint pays only with threads for its chunks: on one, AUTO keeps the sequential one
        // (README, "Where the defaults come from").
        int chunks = strategy == FusedStrategy.AUTO && loop.parallelism() == 1 ? 0
                : timeChunks(p.batch(), p.steps());
        return chunks <= 1 ? sequentialBackward(p, states, gradStates, gradU, grads, gradInit)
                : newton.backward(p, states, gradStates, gradU, grads, gradInit, chunks);
    }

    @Override
    void forwardRange(Recurrence p, float[] init, float[] states, int b, int d0, int d1, int from) {
        int dw = width;
        int steps = p.steps();
        float[] u = p.u();
        for (int t = from; t < steps; t++) {
            int r = b * steps + t;
            rows.gruForward(a, dw, t == 0 ? init : states, t == 0 ? b * dw : (r - 1) * dw, u, r * 3 * dw,
                    states, r * dw, d0, d1);
        }
    }

    @Override
    void backwardRange(Recurrence p, float[] init, float[] states, float[] gradStates, float[] gradU, float[] gradA,
                       float[] gradC, float[] gradInit, int b, int d0, int d1) {
        int dw = width;
        int steps = p.steps();
        float[] u = p.u();
        float[] carry = new float[dw];
        for (int t = steps - 1; t >= 0; t--) {
            int r = b * steps + t;
            rows.gruBackward(a, dw, t == 0 ? init : states, t == 0 ? b * dw : (r - 1) * dw, u, r * 3 * dw,
                    gradStates, r * dw, carry, gradU, gradA, d0, d1);
        }
        System.arraycopy(carry, d0, gradInit, b * dw + d0, d1 - d0);
    }
}
