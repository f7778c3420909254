package org.pararnn.api;

import java.util.Objects;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.api.spi.ResidentRecurrence;
import org.pararnn.api.spi.ResidentSolver;

/**
 * One cell of a model, solved forward and backward over its backend's own arrays ({@link
 * org.pararnn.api.spi.Backend#ops()}), with the buffers it needs kept from call to call (docs/design.md §4).
 * Made by {@link RnnSolver#layer}. Where the backend has a {@link ResidentSolver} for the cell (and the mode
 * lets its fused kernels run), the projection, the solve and their backward run on the device and nothing
 * but a status word leaves it; otherwise the input is copied into Java arrays, solved there by {@link
 * RnnSolver#forward}, and the output copied back — at no cost where the ops' arrays are Java arrays, and
 * said by {@link #placement()} where they are not. Not thread-safe: one layer, one caller.
 */
public final class LayerSolve implements AutoCloseable {
    private final RnnSolver solver;
    private final Cell cell;
    private final Gradients hostGrads;
    private final Ops ops;
    /** Null when solves go through Java arrays. */
    private final ResidentSolver resident;
    private final String placement;

    private int rows = -1;
    private int batchRows = -1;
    // On the device (resident): the projection, the states, their gradients, the initial state.
    private DeviceArray u;
    private DeviceArray states;
    private DeviceArray gradStates;
    private DeviceArray gradU;
    private DeviceArray init;
    /** Whether the last forward started from {@link #init} (else from zeros). */
    private boolean initGiven;
    // Through Java arrays on a device's ops: the copies' Java side and the output's device side.
    private float[] inputHost;
    private float[] gradHost;
    private DeviceArray output;

    private Matrix input;
    private int batch;
    private int steps;
    private ForwardPass fwd;
    private SolveReport last;

    LayerSolve(RnnSolver solver, Cell cell, Gradients hostGrads) {
        this.solver = solver;
        this.cell = Objects.requireNonNull(cell, "cell");
        this.hostGrads = Objects.requireNonNull(hostGrads, "gradients");
        this.ops = solver.backend().ops();
        String backend = solver.backend().name();
        ResidentSolver found = null;
        String why;
        if (ops.takesHostArrays()) {
            why = "solves on Java arrays, the " + backend + " ops' own";
        } else if (solver.mode() != Mode.AUTO && solver.mode() != Mode.FUSED) {
            why = "solves copied through Java arrays: mode " + solver.mode() + " runs on the host";
        } else if (solver.newtonOptions().elk()) {
            why = "solves copied through Java arrays: " + solver.newtonOptions().method() + " runs generic Newton on the host";
        } else if (!cell.projectsOnOps()) {
            why = "solves copied through Java arrays: cell " + cell.type() + " projects only Java arrays";
        } else {
            found = solver.backend().resident(cell).orElse(null);
            why = found != null ? "solves on the " + backend + " device's arrays (fused kernels for " + cell.type() + ")"
                    : "solves copied through Java arrays: backend " + backend + " has no device-resident solver for " + cell.type();
        }
        this.resident = found;
        this.placement = why;
    }

    /** Whether solves stay on the device's arrays. */
    public boolean resident() {
        return resident != null;
    }

    /** Where solves run and why, in words (for a run's header). */
    public String placement() {
        return placement;
    }

    /**
     * Where the cell's parameters must live: the backend's ops when solves are resident (pass them as
     * {@link CellArrays}), else Java arrays (the cell's own tensors, which the host solvers read).
     */
    public Ops parameterOps() {
        return resident != null ? ops : solver.backend().hostOps();
    }

    /** The last forward's or backward's report. */
    public SolveReport lastReport() {
        return last;
    }

    /**
     * The cell over {@code x [B·T][N]} (rows batch-major) from {@code h0 [B][S]} (zeros when null): returns the
     * output {@code [B·T][outputWidth]} as a view valid until the next forward, and writes the final states
     * into {@code finalState [B][S]} when non-null. {@code x} must keep its values until {@link #backward}.
     * {@code params}: the cell's parameters on the ops (resident solves only; ignored otherwise).
     */
    public Matrix forward(CellArrays params, Matrix x, int batch, int steps, float[] h0, float[] finalState) {
        Checks.positive("batch", batch);
        Checks.positive("steps", steps);
        int r = Math.multiplyExact(batch, steps);
        if (x.rows() != r || x.cols() != cell.inputWidth()) {
            throw new IllegalArgumentException("x: " + x.describe() + " should be " + r + " x " + cell.inputWidth() + " (batch " + batch
                    + " x " + steps + " steps, the cell's input width)");
        }
        int s = cell.stateWidth();
        if (finalState != null) {
            Checks.length("finalState", finalState, batch * s, "[" + batch + "][" + s + "]");
        }
        this.input = x;
        this.batch = batch;
        this.steps = steps;
        return resident != null ? residentForward(params, x, h0, finalState) : bridgedForward(x, h0, finalState);
    }

    /**
     * The adjoint of the last {@link #forward} given {@code gradOutput = ∂L/∂y [B·T][outputWidth]}: writes
     * {@code gradInput [B·T][N]} and adds the cell's parameter gradients (into {@code params}' arrays when
     * resident, else into the Java gradients this layer was made with). {@code gradInput} may be
     * {@code gradOutput} itself: all of {@code gradOutput} is read before {@code gradInput} is written.
     */
    public void backward(CellArrays params, Matrix gradOutput, Matrix gradInput) {
        if (input == null) {
            throw new IllegalStateException("backward before forward");
        }
        int r = batch * steps;
        if (gradOutput.rows() != r || gradOutput.cols() != cell.outputWidth()) {
            throw new IllegalArgumentException("gradOutput: " + gradOutput.describe() + " should be " + r + " x " + cell.outputWidth());
        }
        if (gradInput.rows() != r || gradInput.cols() != cell.inputWidth()) {
            throw new IllegalArgumentException("gradInput: " + gradInput.describe() + " should be " + r + " x " + cell.inputWidth());
        }
        if (resident != null) {
            residentBackward(params, gradOutput, gradInput);
        } else {
            bridgedBackward(gradOutput, gradInput);
        }
    }

    private void ensure(int r, int b) {
        if (r == rows && b == batchRows) {
            return;
        }
        release();
        long s = cell.stateWidth();
        long p = cell.projectedWidth();
        if (resident != null) {
            u = ops.allocate("cell u", r * p);
            states = ops.allocate("cell states", r * s);
            gradStates = ops.allocate("cell state gradients", r * s);
            gradU = ops.allocate("cell u gradients", r * p);
            init = ops.allocate("cell initial state", b * s);
        } else if (!ops.takesHostArrays()) {
            output = ops.allocate("cell output", (long) r * cell.outputWidth());
            inputHost = new float[r * cell.inputWidth()];
            gradHost = new float[r * cell.outputWidth()];
        }
        rows = r;
        batchRows = b;
    }

    private Matrix residentForward(CellArrays params, Matrix x, float[] h0, float[] finalState) {
        Objects.requireNonNull(params, "params: a resident solve reads the cell's parameters from the device");
        int r = batch * steps;
        int s = cell.stateWidth();
        ensure(r, batch);
        cell.project(ops, params, x, Matrix.of(u, r, cell.projectedWidth()));
        if (h0 != null) {
            Checks.length("h0", h0, batch * s, "[" + batch + "][" + s + "]");
            Checks.finite("h0", h0, 1, s);
            ops.upload(h0, 0, init, 0, h0.length);
        }
        initGiven = h0 != null;
        ResidentRecurrence p = new ResidentRecurrence(cell, params, batch, steps, u, initGiven ? init : null, solver.newtonOptions());
        last = requested(resident.forward(p, states));
        if (finalState != null) {
            for (int b = 0; b < batch; b++) {
                ops.download(states, ((long) b * steps + steps - 1) * s, finalState, b * s, s);
            }
        }
        return new Matrix(states, cell.outputOffset(), r, cell.outputWidth(), s);
    }

    private void residentBackward(CellArrays params, Matrix gradOutput, Matrix gradInput) {
        Objects.requireNonNull(params, "params: a resident solve adds the cell's gradients on the device");
        int r = batch * steps;
        int s = cell.stateWidth();
        if (cell.outputWidth() != s) {
            ops.fill(gradStates, 0f);
        }
        ops.copy(gradOutput, new Matrix(gradStates, cell.outputOffset(), r, cell.outputWidth(), s));
        ResidentRecurrence p = new ResidentRecurrence(cell, params, batch, steps, u, initGiven ? init : null, solver.newtonOptions());
        last = requested(resident.backward(p, states, gradStates, gradU, null));
        cell.projectBackward(ops, params, input, Matrix.of(gradU, r, cell.projectedWidth()), gradInput);
    }

    /** The report as the solver's mode requested it: AUTO resolved here to the backend's fused kernels, with why. */
    private SolveReport requested(SolveReport report) {
        return solver.mode() == report.used() ? report : report.withRequested(solver.mode(), "AUTO: " + placement);
    }

    private Matrix bridgedForward(Matrix x, float[] h0, float[] finalState) {
        int r = batch * steps;
        ensure(r, batch);
        float[] xs = toJava(x, inputHost);
        fwd = solver.forward(cell, xs, batch, steps, h0);
        last = fwd.report();
        if (finalState != null) {
            float[] fin = fwd.finalState();
            System.arraycopy(fin, 0, finalState, 0, fin.length);
        }
        if (ops.takesHostArrays()) {
            return Matrix.of(HostArray.of("cell output", fwd.output()), r, cell.outputWidth());
        }
        Matrix out = Matrix.of(output, r, cell.outputWidth());
        fromJava(fwd.output(), out);
        return out;
    }

    private void bridgedBackward(Matrix gradOutput, Matrix gradInput) {
        BackwardPass back = solver.backward(fwd, toJava(gradOutput, gradHost), null, hostGrads);
        last = back.report();
        fromJava(back.gradInput(), gradInput);
    }

    /** {@code m}'s values as a dense Java array: its own where it is one, else copied into {@code scratch}. */
    private float[] toJava(Matrix m, float[] scratch) {
        long n = (long) m.rows() * m.cols();
        if (m.array() instanceof HostArray h && m.offset() == 0 && m.ld() == m.cols() && h.data().length == n) {
            return h.data();
        }
        float[] dst = scratch != null && scratch.length == n ? scratch : new float[Math.toIntExact(n)];
        if (m.ld() == m.cols()) {
            ops(m).download(m.array(), m.offset(), dst, 0, (int) n);
        } else {
            for (int i = 0; i < m.rows(); i++) {
                ops(m).download(m.array(), m.offset() + (long) i * m.ld(), dst, i * m.cols(), m.cols());
            }
        }
        return dst;
    }

    /** {@code values} (dense) into {@code m}. */
    private void fromJava(float[] values, Matrix m) {
        if (m.ld() == m.cols()) {
            ops(m).upload(values, 0, m.array(), m.offset(), m.rows() * m.cols());
        } else {
            for (int i = 0; i < m.rows(); i++) {
                ops(m).upload(values, i * m.cols(), m.array(), m.offset() + (long) i * m.ld(), m.cols());
            }
        }
    }

    /** The ops that hold {@code m}: Java arrays are the host ops' (which a device backend's ops refuse). */
    private Ops ops(Matrix m) {
        return m.array() instanceof HostArray ? org.pararnn.api.ops.HostOps.ON_THIS_THREAD : ops;
    }

    private void release() {
        for (DeviceArray a : new DeviceArray[] {u, states, gradStates, gradU, init, output}) {
            if (a != null) {
                ops.release(a);
            }
        }
        u = states = gradStates = gradU = init = output = null;
    }

    /** Gives the device buffers back. */
    @Override
    public void close() {
        release();
        rows = -1;
    }
}
