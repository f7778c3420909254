package org.pararnn.backend.cuda;

import java.util.Locale;
import org.pararnn.api.Gradients;
import org.pararnn.api.Mode;
import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.FusableCell;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;

/**
 * ParaGRU and ParaLSTM in fused kernels ({@code cells.cu}): the forward walks time in one kernel, one
 * thread per (batch row, feature), and the adjoint walks it back in another that also writes {@code ∂L/∂u},
 * {@code ∂L/∂h0} and per-lane partial sums of the recurrent weights' gradients, which are added here in a
 * fixed order (the same bits on every run). Each report states the bytes moved each way and the kernel time.
 * Newton in time inside the fused kernels is the next step (issue 17); until then FUSED is sequential in time.
 */
final class CudaFusedSolver implements RecurrenceSolver {
    private static final int THREADS = 128;

    private final CudaBackend backend;
    private final FusableCell cell;
    private final boolean lstm;
    private final int d;

    CudaFusedSolver(CudaBackend backend, FusableCell cell) {
        this.backend = backend;
        this.cell = cell;
        this.lstm = cell.kind() == FusableCell.Kind.PARALSTM;
        this.d = cell.features();
    }

    private String label() {
        return lstm ? "ParaLSTM" : "ParaGRU";
    }

    private int[] grid(int batch) {
        long lanes = (long) batch * d;
        return new int[] {Math.toIntExact((lanes + THREADS - 1) / THREADS), 1, 1};
    }

    @Override
    public SolveReport forward(Recurrence p, float[] states) {
        long t0 = System.nanoTime();
        SolveReport[] report = new SolveReport[1];
        backend.onLane(lane -> {
            CudaDevice.Stream s = lane.stream;
            long up0 = s.bytesUp();
            long down0 = s.bytesDown();
            long k0 = s.kernelNanos();
            CudaDevice.Buffer a = upload(lane, "a", cell.a().data());
            CudaDevice.Buffer c = lstm ? upload(lane, "c", cell.c().data()) : null;
            CudaDevice.Buffer u = upload(lane, "u", p.u());
            CudaDevice.Buffer init = p.init() == null ? null : upload(lane, "init", p.init());
            CudaDevice.Buffer out = lane.buffer("states", states.length);
            KernelArgs args = new KernelArgs().pointer(a);
            if (lstm) {
                args.pointer(c);
            }
            args.pointer(u).pointer(init).pointer(out).integer(p.batch()).integer(p.steps()).integer(d);
            s.launch(lstm ? "pararnn_lstm_sequential" : "pararnn_gru_sequential", grid(p.batch()), new int[] {THREADS, 1, 1}, 0, args);
            s.download(out, 0, states, 0, states.length);
            s.sync();
            String detail = String.format(Locale.ROOT, "fused %s on %s, sequential in time, one thread per (batch, feature) "
                    + "over %d x %d; %,d B to the device, %,d B back, kernel %.3f ms", label(), backend.name(), p.batch(), d,
                    s.bytesUp() - up0, s.bytesDown() - down0, (s.kernelNanos() - k0) / 1e6);
            report[0] = new SolveReport(Mode.FUSED, Mode.FUSED, backend.name(), detail, 0, null, true, -1, null,
                    System.nanoTime() - t0);
        });
        requireFinite(p, states, report[0]);
        return report[0];
    }

    @Override
    public SolveReport backward(Recurrence p, float[] states, float[] gradStates, float[] gradU, Gradients grads,
                                float[] gradInit) {
        long t0 = System.nanoTime();
        int parts = lstm ? 5 : 3;
        float[] partials = new float[p.batch() * d * parts];
        SolveReport[] report = new SolveReport[1];
        backend.onLane(lane -> {
            CudaDevice.Stream s = lane.stream;
            long up0 = s.bytesUp();
            long down0 = s.bytesDown();
            long k0 = s.kernelNanos();
            CudaDevice.Buffer a = upload(lane, "a", cell.a().data());
            CudaDevice.Buffer c = lstm ? upload(lane, "c", cell.c().data()) : null;
            CudaDevice.Buffer u = upload(lane, "u", p.u());
            CudaDevice.Buffer init = p.init() == null ? null : upload(lane, "init", p.init());
            CudaDevice.Buffer h = upload(lane, "states", states);
            CudaDevice.Buffer g = upload(lane, "gradStates", gradStates);
            CudaDevice.Buffer gu = lane.buffer("gradU", gradU.length);
            CudaDevice.Buffer gp = lane.buffer("gradParts", partials.length);
            CudaDevice.Buffer gi = gradInit == null ? null : lane.buffer("gradInit", gradInit.length);
            KernelArgs args = new KernelArgs().pointer(a);
            if (lstm) {
                args.pointer(c);
            }
            args.pointer(u).pointer(init).pointer(h).pointer(g).pointer(gu).pointer(gp).pointer(gi)
                    .integer(p.batch()).integer(p.steps()).integer(d);
            s.launch(lstm ? "pararnn_lstm_adjoint_sequential" : "pararnn_gru_adjoint_sequential", grid(p.batch()),
                    new int[] {THREADS, 1, 1}, 0, args);
            s.download(gu, 0, gradU, 0, gradU.length);
            s.download(gp, 0, partials, 0, partials.length);
            if (gi != null) {
                s.download(gi, 0, gradInit, 0, gradInit.length);
            }
            s.sync();
            String detail = String.format(Locale.ROOT, "fused %s adjoint on %s, sequential in reverse time; %,d B to the "
                    + "device, %,d B back, kernel %.3f ms", label(), backend.name(), s.bytesUp() - up0, s.bytesDown() - down0,
                    (s.kernelNanos() - k0) / 1e6);
            report[0] = new SolveReport(Mode.FUSED, Mode.FUSED, backend.name(), detail, 0, null, true, -1, null,
                    System.nanoTime() - t0);
        });
        addWeightGradients(partials, p.batch(), parts, grads);
        return report[0];
    }

    private static CudaDevice.Buffer upload(CudaBackend.Lane lane, String name, float[] data) {
        CudaDevice.Buffer b = lane.buffer(name, data.length);
        lane.stream.upload(data, 0, data.length, b, 0);
        return b;
    }

    /** Sums the per-lane partials over the batch in a fixed order, in double, into A's (and C's) gradients. */
    private void addWeightGradients(float[] partials, int batch, int parts, Gradients grads) {
        double[] sums = new double[parts * d];
        for (int b = 0; b < batch; b++) {
            for (int f = 0; f < d; f++) {
                int lane = b * d + f;
                for (int g = 0; g < parts; g++) {
                    sums[g * d + f] += partials[lane * parts + g];
                }
            }
        }
        float[] ga = grads.data("A");
        for (int i = 0; i < 3 * d; i++) {
            ga[i] += (float) sums[i];
        }
        if (lstm) {
            float[] gc = grads.data("C");
            for (int i = 0; i < 2 * d; i++) {
                gc[i] += (float) sums[3 * d + i];
            }
        }
    }

    private void requireFinite(Recurrence p, float[] states, SolveReport report) {
        int s = p.cell().stateWidth();
        for (int i = 0; i < states.length; i++) {
            if (!Float.isFinite(states[i])) {
                throw new SolveFailedException("the fused " + label() + " solve on " + backend.name() + " produced " + states[i]
                        + " at [b=" + i / s / p.steps() + ", t=" + (i / s) % p.steps() + ", i=" + i % s + "]", report);
            }
        }
    }
}
