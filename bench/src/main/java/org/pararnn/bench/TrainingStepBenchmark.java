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
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.train.AdamW;
import org.pararnn.lm.train.TrainConfig;

/**
 * One training step of the language model in issue #6's TinyShakespeare recipe (character vocabulary of
 * 65, {@code D = 128}, 4 layers, 2 heads, batch 12 × context 64 = 768 tokens): forward, loss, backward,
 * global gradient norm, AdamW update, recurrent-weight clip — what {@code Trainer} does per step, minus
 * data sampling and logging. Tokens are random (the cost does not depend on them). Tokens per second
 * = 768 / (ms per step) × 1000.
 *
 * <p>{@code gemm}: {@code inPlace} lets OpenBLAS work on the Java arrays (Java 22+, the multi-release
 * cells jar), {@code copies} forces the Java 21 path that copies operands to native memory, so the two
 * are compared in one run. Export {@code OPENBLAS_THREAD_TIMEOUT=4} before starting JMH (forks inherit
 * it); without it OpenBLAS's spinning threads take the cores from the Java kernels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class TrainingStepBenchmark {
    private static final int VOCAB = 65;
    private static final int BATCH = 12;
    private static final int CONTEXT = 64;

    @Param({"paragru", "paralstm"})
    public String cell;

    @Param({"inPlace", "copies"})
    public String gemm;

    @Param({"cpu"})
    public String backend;

    private Backend engine;
    private LanguageModel model;
    private AdamW optimizer;
    private final int[] tokens = new int[BATCH * CONTEXT];
    private final int[] targets = new int[BATCH * CONTEXT];

    @Setup(Level.Trial)
    public void setUp() {
        engine = PairedTrainingSteps.withProducts(backend, gemm.equals("inPlace"), "benchmark parameter");
        System.out.println("[" + cell + " " + gemm + "] ops: " + engine.ops().describe());
        model = new LanguageModel(ModelConfig.languageModel(VOCAB, 128, 4, 2, cell, 1))
                .solver(RnnSolver.on(engine).mode(Mode.AUTO));
        optimizer = AdamW.of(model.parameters(), TrainConfig.textDefaults());
        Random r = new Random(1);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(VOCAB);
            targets[i] = r.nextInt(VOCAB);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public void step(Blackhole bh) {
        bh.consume(optimizer.trainStep(model, tokens, targets, BATCH, CONTEXT, 1e-4).total());
    }
}
