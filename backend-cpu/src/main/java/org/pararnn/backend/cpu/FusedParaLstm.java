package org.pararnn.backend.cpu;

import org.pararnn.api.SolveReport;
import org.pararnn.api.Tensor;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;

/**
 * ParaLSTM ({@code pararnn.paralstm}), state {@code [c; h]}: {@code f = σ(A_f h + u_f + C_f c)},
 * {@code c̃ = tanh(A_c h + u_c)}, {@code c' = f c + (1−f) c̃}, {@code o = σ(A_o h + u_o + C_o c')},
 * {@code h' = o tanh(c')}, per feature, in the same float operation order as the cell.
 */
final class FusedParaLstm extends FeatureParallelSolver {
    private final FusedStrategy strategy;
    private final LstmNewton newton;

    FusedParaLstm(CpuLoop loop, FusedRows rows, int width, Tensor a, Tensor c, FusedStrategy strategy) {
        super(loop, rows, width, a, c);
        this.strategy = strategy;
        this.newton = new LstmNewton(this);
    }

    /**
     * Sequential in time unless Newton in time is forced ({@link FusedStrategy#NEWTON}): AUTO never picks
     * the scalar ParaLSTM Newton (see {@link LstmNewton}). The adjoint always runs in reverse time.
     */
    @Override
    public SolveReport forward(Recurrence p, float[] states) {
        if (strategy == FusedStrategy.NEWTON) {
            return newton.forward(p, states, newton.chunks(p.batch(), p.steps()));
        }
        return sequentialForward(p, states);
    }

    @Override
    String cellName() {
        return "ParaLSTM";
    }

    @Override
    void forwardRange(Recurrence p, float[] init, float[] states, int b, int d0, int d1, int from) {
        int s = 2 * width;
        int steps = p.steps();
        float[] u = p.u();
        for (int t = from; t < steps; t++) {
            int r = b * steps + t;
            rows.lstmForward(a, c, width, t == 0 ? init : states, t == 0 ? b * s : (r - 1) * s, u, r * 3 * width,
                    states, r * s, d0, d1);
        }
    }

    @Override
    void backwardRange(Recurrence p, float[] init, float[] states, float[] gradStates, float[] gradU, float[] gradA,
                       float[] gradC, float[] gradInit, int b, int d0, int d1) {
        int s = 2 * width;
        int steps = p.steps();
        float[] u = p.u();
        float[] carryC = new float[width];
        float[] carryH = new float[width];
        for (int t = steps - 1; t >= 0; t--) {
            int r = b * steps + t;
            rows.lstmBackward(a, c, width, t == 0 ? init : states, t == 0 ? b * s : (r - 1) * s, u, r * 3 * width,
                    gradStates, r * s, carryC, carryH, gradU, gradA, gradC, d0, d1);
        }
        System.arraycopy(carryC, d0, gradInit, b * s + d0, d1 - d0);
        System.arraycopy(carryH, d0, gradInit, b * s + width + d0, d1 - d0);
    }
}
