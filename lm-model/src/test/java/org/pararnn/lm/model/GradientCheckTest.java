package org.pararnn.lm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.lm.CpuBlas;
import org.pararnn.lm.nn.Parameter;

/**
 * Whole-model gradient check: the float32 analytic gradient of every parameter against central finite
 * differences of an independent float64 implementation ({@link F64Model}), for both cells, both
 * architectures and every solving mode.
 *
 * <p>Bounds: the float32 loss within 1e-5 relative of the float64 loss; each parameter tensor's
 * gradient within 2e-5 relative L2 of the float64 finite differences (a few hundred float32 roundings
 * along the deepest path, ε ≈ 6e-8, leave ~1e-5; finite-difference error at step 1e-5 in float64 is
 * ~1e-10), with an absolute floor of 1e-7·√n for tensors whose true gradient is ~0.
 */
class GradientCheckTest {
    private static final Backend BACKEND = Backends.fromEnvironment().choose();

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String cell : new String[] {"paragru", "paralstm"}) {
            for (Architecture arch : Architecture.values()) {
                for (Mode mode : new Mode[] {Mode.SEQUENTIAL, Mode.PARALLEL, Mode.AUTO}) {
                    b.add(Arguments.of(cell, arch, mode));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void analyticGradientsMatchFloat64FiniteDifferences(String cell, Architecture arch, Mode mode) {
        check(BACKEND, cell, arch, mode, false);
    }

    /**
     * The whole step on the CUDA backend's own ops, the kernels of {@code ops.cu} on the emulated device
     * (parameters, activations and the optimiser's arrays in its memory; the cells' solves in between), for
     * both cells and both architectures, against the same float64 finite differences.
     */
    @ParameterizedTest(name = "{0} {1} on cuda-emulated")
    @MethodSource("cudaCases")
    void throughTheCudaOpsMatchFloat64(String cell, Architecture arch) {
        Backends all = Backends.fromEnvironment();
        var probe = all.survey().stream().filter(pr -> pr.name().equals("cuda-emulated")).findFirst();
        org.junit.jupiter.api.Assumptions.assumeTrue(probe.isPresent() && probe.get().available(),
                () -> "cuda-emulated is unavailable here: " + probe.map(p -> p.probe().reason()).orElse("not on the class path"));
        try (Backend cuda = all.forcing("cuda-emulated", "GradientCheckTest").choose()) {
            assertTrue(!cuda.ops().takesHostArrays(), "the CUDA backend's ops must be its own: " + cuda.ops().describe());
            check(cuda, cell, arch, Mode.AUTO, true);
        }
    }

    static Stream<Arguments> cudaCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String cell : new String[] {"paragru", "paralstm"}) {
            for (Architecture arch : Architecture.values()) {
                b.add(Arguments.of(cell, arch));
            }
        }
        return b.build();
    }

    /**
     * Every product through the cpu backend's OpenBLAS (the tiny shapes here would otherwise take the Java
     * loops), after a first step and an update of every parameter: operands in the backward pass are the
     * forward's, so a stale operand kept across the update would show up here as a wrong gradient.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"paragru", "paralstm"})
    void gradientsThroughOpenBlasAfterAnUpdateMatchFloat64(String cell) {
        org.junit.jupiter.api.Assumptions.assumeTrue(BACKEND.name().equals("cpu"), "the OpenBLAS path is the cpu backend's");
        assertNull(CpuBlas.unavailableReason(), "OpenBLAS must load here");
        org.pararnn.api.spi.Backends found = org.pararnn.api.spi.Backends.fromEnvironment();
        try (Backend everyProduct = found.withOptions(found.options().with(org.pararnn.api.ops.HostGemm.BLAS_THRESHOLD, 0L))
                .forcing("cpu", "this test").choose()) {
            assertTrue(everyProduct.ops().describe().contains("products of ≥ 0 multiply-adds: OpenBLAS"),
                    everyProduct.ops().describe());
            check(everyProduct, cell, Architecture.LM, Mode.AUTO, true);
        }
    }

    /** The cell-only model with the paper's fixed sinusoidal positions (nothing to train in them; the rest checked). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"paragru", "paralstm"})
    void withSinusoidalPositionsMatchFloat64(String cell) {
        check(BACKEND, cell, Architecture.CELL, Mode.AUTO, false, PositionEncoding.SINUSOIDAL);
    }

    private static void check(Backend backend, String cell, Architecture arch, Mode mode, boolean stepFirst) {
        check(backend, cell, arch, mode, stepFirst, PositionEncoding.LEARNED);
    }

    private static void check(Backend backend, String cell, Architecture arch, Mode mode, boolean stepFirst,
                              PositionEncoding positions) {
        int vocab = 11;
        int dim = 8;
        int batch = 2;
        int steps = 7;
        ModelConfig cfg = switch (arch) {
            case LM -> new ModelConfig(arch, vocab, dim, 2, 2, cell, 24, 4, 0, 0.9f, 1e-3f, 5);
            case BLOCK -> new ModelConfig(arch, vocab, dim, 1, 2, cell, 0, 4, 0, 0.9f, 1e-3f, 5);
            case CELL -> new ModelConfig(arch, vocab, dim, 1, 2, cell, 0, 4, steps, 0.9f, 1e-3f, 5, 0f, positions);
        };
        LanguageModel model = new LanguageModel(cfg).solver(RnnSolver.on(backend).mode(mode));
        SplittableRandom rnd = new SplittableRandom(17);
        int[] tokens = new int[batch * steps];
        int[] targets = new int[batch * steps];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rnd.nextInt(vocab);
            targets[i] = rnd.nextInt(4) == 0 ? -1 : rnd.nextInt(vocab);
        }
        // Non-trivial norms, scales and biases so their gradients are exercised away from the init values.
        for (Parameter p : model.parameters()) {
            if (!p.decay()) {
                float[] v = p.data();
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (0.2 * (rnd.nextDouble() - 0.5));
                }
            }
        }
        model.pushParameters();
        model.clipRecurrent();
        if (stepFirst) {
            model.zeroGradients();
            model.forward(tokens, targets, batch, steps);
            model.backward();
            model.pullParameters();
            for (Parameter p : model.parameters()) {
                float[] v = p.data();
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (0.05 * (rnd.nextDouble() - 0.5));
                }
            }
            model.clipRecurrent();
            model.pushParameters();
        }
        model.zeroGradients();
        Loss loss = model.forward(tokens, targets, batch, steps);
        model.backward();
        model.pullParameters();

        F64Model ref = new F64Model(model);
        double l64 = ref.loss(tokens, targets, batch, steps);
        assertEquals(l64, loss.total(), 1e-5 * Math.abs(l64), "float32 loss vs float64 loss");

        double h = 1e-5;
        StringBuilder report = new StringBuilder();
        for (Parameter p : model.parameters()) {
            double[] w = ref.p.get(p.name());
            float[] g = p.gradData();
            double err = 0;
            double norm = 0;
            for (int i = 0; i < w.length; i++) {
                double keep = w[i];
                w[i] = keep + h;
                double up = ref.loss(tokens, targets, batch, steps);
                w[i] = keep - h;
                double down = ref.loss(tokens, targets, batch, steps);
                w[i] = keep;
                double fd = (up - down) / (2 * h);
                err += (g[i] - fd) * (g[i] - fd);
                norm += fd * fd;
            }
            err = Math.sqrt(err);
            norm = Math.sqrt(norm);
            double bound = 2e-5 * norm + 1e-7 * Math.sqrt(w.length);
            report.append(String.format("%-32s |g| %.3e  err %.2e  rel %.2e%n", p.name(), norm, err, err / Math.max(norm, 1e-30)));
            assertTrue(err <= bound, () -> "gradient of " + p.name() + " differs from float64 finite differences: "
                    + report);
        }
        System.out.println(backend.name() + " " + cell + " " + arch + " " + mode + (stepFirst ? " (second step)" : "")
                + " loss " + loss.total() + "\n" + report);
    }
}
