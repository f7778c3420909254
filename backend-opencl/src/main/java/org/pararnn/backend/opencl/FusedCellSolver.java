package org.pararnn.backend.opencl;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.pararnn.api.Gradients;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.NewtonOutcome;
import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;
import org.pararnn.api.Tensor;
import org.pararnn.api.solve.NewtonFailure;
import org.pararnn.api.solve.NewtonStopping;
import org.pararnn.api.spi.FusableCell;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;

/**
 * Fused ParaGRU / ParaLSTM solves on the device. Forward: sequential in time (a work-item per feature)
 * or Newton over time chunks (one fused pass per iteration, then the combine and fix-up of the scan);
 * only the per-work-item residuals come back each iteration, the states once at the end. Backward: the
 * Jacobians from the forward states, the reverse scan of the adjoint, and a gradient pass; the weight
 * gradients come back as per-work-item partial sums that are added on the host in a fixed order.
 * Reports say what ran and how many bytes crossed the bus.
 */
final class FusedCellSolver implements RecurrenceSolver {

    private final OpenClBackend backend;
    private final FusableCell.Kind kind;
    /** Coupled values per feature (the Jacobian's block size): 1 for ParaGRU, 2 for ParaLSTM's {@code [c; h]}. */
    private final int blocks;
    /** Weight-gradient partial sums per work-item: A's three rows, and C's two for ParaLSTM. */
    private final int parts;
    private final String label;
    private final int d;
    private final Tensor a;
    private final Tensor c;
    private final FusedStrategy strategy;

    FusedCellSolver(OpenClBackend backend, FusableCell cell, FusedStrategy strategy) {
        this.backend = backend;
        this.kind = cell.kind();
        boolean lstm = kind == FusableCell.Kind.PARALSTM;
        this.blocks = lstm ? 2 : 1;
        this.parts = lstm ? 5 : 3;
        this.label = lstm ? "ParaLSTM" : "ParaGRU";
        this.d = cell.features();
        this.a = cell.a();
        this.c = cell.c();
        this.strategy = strategy;
    }

    /** Time chunks for this shape, 1 for sequential in time. */
    int chunks(int batch, int steps) {
        int lanes = batch * d;
        return switch (strategy) {
            case SEQUENTIAL -> 1;
            case NEWTON -> backend.chunking().chunks(lanes, steps);
            case AUTO -> newtonPays(lanes, steps) ? backend.chunking().chunks(lanes, steps) : 1;
        };
    }

    /**
     * AUTO: Newton in time only on a GPU or accelerator, where the sequential walk leaves most of the
     * device idle (fewer than a quarter of the work-items that fill it) and the sequence is long enough
     * for several chunks. On a CPU device (PoCL) it measured slower at every shape (README, "Where the defaults come from");
     * the GPU rule is the design intent, not yet measured on a GPU.
     */
    boolean newtonPays(int lanes, int steps) {
        return backend.accelerator() && 4L * lanes <= backend.chunking().target() && steps >= 2048;
    }

    private CellDevice bind(Recurrence p, int rev) {
        CellDevice cd = backend.cellDevice(kind);
        DeviceKernel<? extends CellKernel> dk = cd.device;
        dk.resetCounters();
        dk.compile();
        CellKernel k = cd.kernel();
        k.dw = d;
        k.batch = p.batch();
        k.steps = p.steps();
        k.k = blocks;
        k.m = d;
        k.width = blocks * d;
        k.lanes = p.batch() * d;
        k.from = 0;
        k.to = p.steps();
        k.rev = rev;
        k.hasInit = 0;
        k.damping = 1f;
        float[] was = k.u;
        k.u = p.u();
        dk.upload(was, k.u);
        was = k.w;
        k.w = a.data();
        dk.upload(was, k.w);
        if (c != null) {
            was = k.cw;
            k.cw = c.data();
            dk.upload(was, k.cw);
        }
        k.hasH0 = p.init() != null ? 1 : 0;
        if (p.init() != null) {
            was = k.h0;
            k.h0 = p.init();
            dk.upload(was, k.h0);
        }
        return cd;
    }

    @Override
    public SolveReport forward(Recurrence p, float[] states) {
        long t0 = System.nanoTime();
        SolveReport[] out = new SolveReport[1];
        backend.exclusive(() -> out[0] = forwardLocked(p, states, t0));
        return out[0];
    }

    private SolveReport forwardLocked(Recurrence p, float[] states, long t0) {
        CellDevice cd = bind(p, 0);
        int chunks = chunks(p.batch(), p.steps());
        cd.bindY0(states.length);
        if (strategy == FusedStrategy.SEQUENTIAL || (strategy == FusedStrategy.AUTO && chunks == 1)) {
            sequential(cd, p, states);
            SolveReport r = report("sequential in time, " + p.batch() * d + " lane(s)", cd, 0, null, true, -1, null, t0);
            requireFinite(p, states, r);
            return r;
        }
        return newton(cd, p, states, chunks, t0);
    }

    private void sequential(CellDevice cd, Recurrence p, float[] states) {
        CellKernel k = cd.kernel();
        k.dst = 0;
        k.pass = CellKernel.PASS_SEQUENTIAL;
        backend.launch(cd.device, k.lanes);
        cd.device.download(cd.y0);
        System.arraycopy(cd.y0, 0, states, 0, states.length);
    }

    private SolveReport newton(CellDevice cd, Recurrence p, float[] states, int chunks, long t0) {
        CellKernel k = cd.kernel();
        DeviceKernel<? extends CellKernel> dk = cd.device;
        int lanes = k.lanes;
        int kb = blocks;
        k.chunks = chunks;
        cd.bindY1(states.length);
        cd.bindJacobians(states.length * kb);
        cd.bindCarries(lanes, chunks, kb);
        cd.bindResiduals(lanes * chunks);
        NewtonOptions opts = p.newton();
        NewtonStopping stopping = new NewtonStopping(opts, p.steps());
        int iterations = 0;
        NewtonOutcome outcome;
        while (true) {
            k.dst = iterations % 2;
            k.zeroGuess = iterations == 0 ? 1 : 0;
            k.pass = CellKernel.PASS_NEWTON;
            backend.launch(dk, lanes * chunks);
            dk.download(cd.res);
            dk.download(cd.fmax);
            double residual = 0;
            float scale = 0f;
            for (int i = 0; i < lanes * chunks; i++) {
                float r = cd.res[i];
                residual = Double.isNaN(residual) || Float.isNaN(r) ? Double.NaN : Math.max(residual, r);
                scale = Math.max(scale, cd.fmax[i]);
            }
            Optional<NewtonOutcome> end = stopping.judge(iterations, residual, scale);
            if (end.isPresent()) {
                outcome = end.get();
                break;
            }
            backend.combineAndFixUp(dk, lanes, chunks, kb);
            if (opts.damping() != 1f) {
                k.damping = opts.damping();
                k.pass = CellKernel.PASS_DAMP;
                backend.launch(dk, states.length);
            }
            iterations++;
        }
        double[] residuals = stopping.history(iterations);
        String what = String.format(Locale.ROOT, "Newton in time, %d chunk(s) x %d lane(s), initial guess 0", chunks, lanes);
        // The measured iterate: the zero guess, or the one the last completed iteration wrote.
        if (iterations == 0) {
            Arrays.fill(states, 0f);
        } else {
            float[] x = (iterations - 1) % 2 == 0 ? cd.y0 : cd.y1;
            dk.download(x);
            System.arraycopy(x, 0, states, 0, states.length);
        }
        SolveReport r = SolveReport.newton(Mode.FUSED, Mode.FUSED, OpenClBackend.NAME, detail(what, cd), residuals, outcome,
                null, System.nanoTime() - t0);
        if (outcome.converged()) {
            return r;
        }
        SolveReport settled = NewtonFailure.settle(r, opts.onFailure(), () -> {
            // The device walks every sequence from its start: one pass, cheaper than finding each frontier.
            cd.bindY0(states.length);
            sequential(cd, p, states);
            return 0;
        }, t0);
        if (settled.fellBack()) {
            requireFinite(p, states, settled);
        }
        return settled;
    }

    @Override
    public SolveReport backward(Recurrence p, float[] states, float[] gradStates, float[] gradU, Gradients grads,
                                float[] gradInit) {
        long t0 = System.nanoTime();
        SolveReport[] out = new SolveReport[1];
        backend.exclusive(() -> out[0] = backwardLocked(p, states, gradStates, gradU, grads, gradInit, t0));
        return out[0];
    }

    private SolveReport backwardLocked(Recurrence p, float[] states, float[] gradStates, float[] gradU,
                                       Gradients grads, float[] gradInit, long t0) {
        CellDevice cd = bind(p, 1);
        CellKernel k = cd.kernel();
        DeviceKernel<? extends CellKernel> dk = cd.device;
        int kb = blocks;
        int lanes = k.lanes;
        int chunks = chunks(p.batch(), p.steps());
        k.chunks = chunks;
        // The forward states go into the kernel's own y0 so its device buffer is re-used, not re-created.
        float[] was = k.y0;
        cd.y0 = OpenClBackend.sized(cd.y0, states.length);
        System.arraycopy(states, 0, cd.y0, 0, states.length);
        k.y0 = cd.y0;
        dk.upload(was, cd.y0);
        was = k.bv;
        k.bv = gradStates;
        dk.upload(was, gradStates);
        cd.bindY1(states.length);
        cd.bindJacobians(states.length * kb);
        cd.bindCarries(lanes, chunks, kb);
        cd.bindGradients(gradU.length, lanes * chunks * parts, p.batch() * kb * d);
        k.dst = 1;
        k.pass = CellKernel.PASS_JACOBIAN;
        backend.launch(dk, p.batch() * p.steps() * d);
        backend.runScan(dk, lanes, chunks, kb);
        k.pass = CellKernel.PASS_GRADIENTS;
        backend.launch(dk, lanes * chunks);
        dk.download(cd.gradU);
        System.arraycopy(cd.gradU, 0, gradU, 0, gradU.length);
        dk.download(cd.gpart);
        addWeightGradients(cd.gpart, lanes, chunks, grads);
        if (gradInit != null) {
            dk.download(cd.gradInit);
            System.arraycopy(cd.gradInit, 0, gradInit, 0, gradInit.length);
        }
        String what = String.format(Locale.ROOT, "adjoint: reverse scan in %d chunk(s) x %d lane(s)", chunks, lanes);
        return report(what, cd, 0, null, true, -1, null, t0);
    }

    /** Sums the per-work-item partials of every weight in a fixed order (deterministic), in double. */
    private void addWeightGradients(float[] partials, int lanes, int chunks, Gradients grads) {
        int np = parts;
        double[] sums = new double[np * d];
        for (int gid = 0; gid < lanes * chunks; gid++) {
            int feature = (gid % lanes) % d;
            for (int g = 0; g < np; g++) {
                sums[g * d + feature] += partials[gid * np + g];
            }
        }
        float[] ga = grads.data("A");
        for (int i = 0; i < 3 * d; i++) {
            ga[i] += (float) sums[i];
        }
        if (kind == FusableCell.Kind.PARALSTM) {
            float[] gc = grads.data("C");
            for (int i = 0; i < 2 * d; i++) {
                gc[i] += (float) sums[3 * d + i];
            }
        }
    }

    private SolveReport report(String what, CellDevice cd, int iterations, double[] residuals, boolean converged,
                               int fallbackFrom, String failure, long t0) {
        return new SolveReport(Mode.FUSED, Mode.FUSED, OpenClBackend.NAME, detail(what, cd), iterations, residuals, converged,
                fallbackFrom, failure, System.nanoTime() - t0);
    }

    private String detail(String what, CellDevice cd) {
        return "fused " + label + " on OpenCL, " + what + "; " + cd.device.traffic();
    }

    private void requireFinite(Recurrence p, float[] states, SolveReport report) {
        for (int i = 0; i < states.length; i++) {
            if (!Float.isFinite(states[i])) {
                int s = p.cell().stateWidth();
                throw new SolveFailedException("the fused " + label + " solve on OpenCL produced " + states[i]
                        + " at [b=" + i / s / p.steps() + ", t=" + (i / s) % p.steps() + ", i=" + i % s + "]", report);
            }
        }
    }
}
