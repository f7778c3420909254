package org.pararnn.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.api.spi.ScanProblem;

/**
 * The linear scan alone, per backend and structure, over shapes {@code T:B·S} (one batch element of
 * {@code S} features up to 8, else {@code S = 64}). A diagonal step moves 12 bytes per element (read
 * {@code a}, {@code b}, write {@code h}), a block-diagonal(2) step 16 per state value ({@code a} has
 * two coefficients per value); {@code 1:1} measures a call's fixed cost (on a device: launches and
 * transfers of nearly nothing).
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
public class ScanBenchmark {

    @Param({"1:1", "65536:1", "65536:8", "4096:8192"})
    public String shape;

    @Param({"diagonal", "block2", "block3"})
    public String structure;

    @Param({"cpu", "opencl"})
    public String backend;

    private Backend engine;
    private ScanProblem problem;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split(":");
        int steps = Integer.parseInt(parts[0]);
        int lanes = Integer.parseInt(parts[1]);
        int width = lanes <= 8 ? lanes : 64;
        int batch = lanes / width;
        JacobianStructure st = switch (structure) {
            case "block2" -> JacobianStructure.blockDiagonal(2);
            case "block3" -> JacobianStructure.blockDiagonal(3);
            default -> JacobianStructure.diagonal();
        };
        if (st instanceof JacobianStructure.BlockDiagonal bd && width % bd.blocks() != 0) {
            width *= bd.blocks();
        }
        Random r = new Random(3);
        float[] a = new float[batch * steps * st.coefficientsPerStep(width)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (0.45 * r.nextGaussian() / (st instanceof JacobianStructure.BlockDiagonal bd ? bd.blocks() : 1));
        }
        float[] b = new float[batch * steps * width];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        problem = ScanProblem.whole(st, batch, steps, width, a, b, null, new float[b.length]);
        engine = Backends.fromEnvironment().forcing(backend, "benchmark parameter").choose();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public void forward(Blackhole bh) {
        engine.scan().forward(problem);
        bh.consume(problem.out()[problem.out().length - 1]);
    }
}
