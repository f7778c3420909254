package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestReporter;
import org.pararnn.api.BackwardPass;
import org.pararnn.api.Cell;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.LayerSolve;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.ops.HostOps;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.Probe;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;

/**
 * The conformance suite every backend passes (docs/design.md §4). A backend module extends this class in its
 * own {@code src/test} and names its provider:
 * <pre>{@code
 * class CpuConformanceTest extends BackendConformanceKit {
 *     protected BackendProvider provider() { return new CpuBackendProvider(); }
 * }
 * }</pre>
 * Each group of checks is a class of its own ({@link ScanChecks}, {@link CellChecks}, {@link BadInputChecks},
 * {@link ConcurrencyChecks}, {@link DividedChecks}, {@link OpsChecks}, {@link LayerSolveChecks},
 * {@link ReportChecks}, {@link TapeChecks}); this class is the entry point that binds them to the backend as {@code @Nested} groups.
 * When the provider's probe says the backend cannot run here, every check is <em>skipped</em> with
 * the probe's reason; nothing passes vacuously. Checks compare against float64 ground truth with the
 * bounds of {@link Tolerances}, and publish the measured error ({@code error} report entries).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformanceKit {
    private Backend backend;

    /** The backend under test. */
    protected abstract BackendProvider provider();

    /**
     * The options the backend under test is made with: by default this test JVM's ({@code -Dpararnn.*},
     * {@code PARARNN_*}), read once when the kit starts the backend.
     */
    protected org.pararnn.api.spi.BackendOptions options() {
        return org.pararnn.api.spi.BackendOptions.fromSystem();
    }

    /** Why the backend cannot run here, or null once it has started. */
    private String unavailable;

    /**
     * Probes once. An unavailable backend is not an error of the class: every check then skips on its own
     * ({@link #requireBackend}), so the reports list each one as skipped with the probe's reason instead of
     * a class that ran nothing.
     */
    @BeforeAll
    void startBackend() {
        BackendProvider p = provider();
        org.pararnn.api.spi.BackendOptions options = options();
        Probe probe = p.probe(options);
        if (!probe.available()) {
            unavailable = "backend '" + p.name() + "' is unavailable here: " + probe.reason();
            return;
        }
        backend = p.create(options);
    }

    /** Runs before every check, nested groups' included (their own set-up comes after it). */
    @org.junit.jupiter.api.BeforeEach
    void requireBackend() {
        assumeTrue(unavailable == null, unavailable);
    }

    @AfterAll
    void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    protected final Backend backend() {
        return backend;
    }

    static void publish(TestReporter reporter, String key, double error) {
        reporter.publishEntry(key, String.format(Locale.ROOT, "%.2e", error));
    }

    static void within(double tol, double err, String what) {
        assertTrue(err <= tol, what + ": relative error " + String.format(Locale.ROOT, "%.3e", err) + " > bound "
                + String.format(Locale.ROOT, "%.1e", tol));
    }

    @Nested
    @DisplayName("scan")
    class Scans extends ScanChecks {
        @Override
        Backend backend() {
            return backend;
        }
    }

    /**
     * The modes this backend offers for {@code cell}: always SEQUENTIAL and AUTO; PARALLEL (DEER and ELK) where the
     * scan fits; quasi-DEER and quasi-ELK where the cell is not diagonal and the diagonal scan fits; FUSED where present.
     */
    static List<RnnSolver> solversFor(Backend backend, Cell cell) {
        List<RnnSolver> out = new ArrayList<>();
        RnnSolver base = RnnSolver.on(backend);
        NewtonOptions elk = NewtonOptions.defaults().withElk(1f);
        out.add(base.mode(Mode.SEQUENTIAL));
        if (backend.scan().supports(cell.jacobianStructure())) {
            out.add(base.mode(Mode.PARALLEL));
            out.add(base.mode(Mode.PARALLEL).newton(elk));
        }
        if (!(cell.jacobianStructure() instanceof JacobianStructure.Diagonal)
                && backend.scan().supports(JacobianStructure.diagonal())) {
            out.add(base.mode(Mode.PARALLEL).newton(NewtonOptions.defaults().withQuasi(true)));
            out.add(base.mode(Mode.PARALLEL).newton(elk.withQuasi(true)));
        }
        if (backend.fused(cell).isPresent()) {
            out.add(base.mode(Mode.FUSED));
        }
        out.add(base.mode(Mode.AUTO));
        return out;
    }

    static String label(RnnSolver s) {
        return s.mode() + (s.newtonOptions().quasi() ? "-quasi" : "") + (s.newtonOptions().elk() ? "-elk" : "");
    }

    @Nested
    @DisplayName("cells")
    class Cells extends CellChecks {
        @Override
        Backend backend() {
            return backend;
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput extends BadInputChecks {
        @Override
        Backend backend() {
            return backend;
        }
    }

    @Nested
    @DisplayName("concurrency")
    class Concurrency extends ConcurrencyChecks {
        @Override
        Backend backend() {
            return backend;
        }
    }

    /** The cells the concurrency checks run: ParaGRU and ParaLSTM, 8 inputs to 13 features. */
    static List<Cell> concurrencyCells() {
        return List.of(ParaGRU.create(8, 13, 1, 3), ParaLSTM.create(8, 13, 1, 4));
    }

    /** The output, the input's gradient and {@code A}'s gradient of one forward and backward solve. */
    static float[][] forwardAndBackward(RnnSolver solver, Cell cell, float[] x, float[] gy, int batch, int steps) {
        ForwardPass f = solver.forward(cell, x, batch, steps);
        BackwardPass b = solver.backward(f, gy);
        return new float[][] {f.output(), b.gradInput(), b.gradients().get("A").data()};
    }

    @Nested
    @DisplayName("divided backends")
    class Divided extends DividedChecks {
        @Override
        Backend backend() {
            return backend;
        }
    }

    @Nested
    @DisplayName("ops")
    class OpsGroup extends OpsChecks {
        @Override
        Backend backend() {
            return backend;
        }
    }

    @Nested
    @DisplayName("layer solves")
    class LayerSolves extends LayerSolveChecks {
        @Override
        Backend backend() {
            return backend;
        }
    }

    @Nested
    @DisplayName("reports")
    class Reports extends ReportChecks {
        @Override
        Backend backend() {
            return backend;
        }
    }

    @Nested
    @DisplayName("cell tapes")
    class Tapes extends TapeChecks {
        @Override
        Backend backend() {
            return backend;
        }
    }

    /** {@code max ‖h_t − f(h_{t−1}, u_t)‖_∞} of returned states, stepped in float32. */
    static double selfResidual(Cell cell, float[] x, int batch, int steps, float[] states) {
        int s = cell.stateWidth();
        int p = cell.projectedWidth();
        float[] u = new float[batch * steps * p];
        cell.project(org.pararnn.api.ops.HostOps.ON_THIS_THREAD, x, u, batch * steps);
        float[] f = new float[s];
        float[] zero = new float[s];
        double worst = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                int r = b * steps + t;
                if (t == 0) {
                    cell.step(zero, 0, u, r * p, f, 0);
                } else {
                    cell.step(states, (r - 1) * s, u, r * p, f, 0);
                }
                for (int i = 0; i < s; i++) {
                    worst = Math.max(worst, Math.abs(f[i] - states[r * s + i]));
                }
            }
        }
        return worst;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + Arrays.toString(new Object[] {provider().name()});
    }
}
