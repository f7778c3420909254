package org.pararnn.lm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pararnn.api.Tensor;
import org.pararnn.api.io.SafeTensors;

/**
 * {@code mpirun -np 2 ./pararnn train} for real, with Open MPI (CI installs it; elsewhere the test skips saying why):
 * two ranks × batch B end where one process with batch 2B ends, bit for bit run to run; ranks given different options
 * and a resume with another rank count are refused.
 */
class DataParallelTest {
    static final List<String> RUN = List.of("train", "--task", "keep-nth", "--steps", "20", "--backend", "cpu", "--seed", "3");

    @TempDir
    static Path tmp;

    @BeforeAll
    static void needsOpenMpi() throws Exception {
        boolean found;
        try {
            Process p = new ProcessBuilder("mpirun", "--version").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            found = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && text.contains("Open MPI");
        } catch (IOException e) {
            found = false;
        }
        assumeTrue(found, "Open MPI's mpirun is not on the PATH (Debian: openmpi-bin, libopenmpi-dev)");
    }

    /** One rank's command: this JVM's java, the test class path with the Java 22 classes of the multi-release build first. */
    static List<String> java(List<String> args) {
        return java(args, false);
    }

    /** {@code tty}: as the launcher passes it when stdout is a terminal (under mpirun every rank's is a pseudo-terminal). */
    static List<String> java(List<String> args, boolean tty) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path classes = Path.of("target", "classes").toAbsolutePath();
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Dpararnn.tty=" + tty, "-cp",
                classes.resolve("META-INF/versions/22") + File.pathSeparator + cp, "org.pararnn.lm.cli.Main"));
        cmd.addAll(args);
        return cmd;
    }

    record Ran(int code, String output) {
    }

    static Ran mpirun(List<String> mpiArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mpirun", "--allow-run-as-root", "--oversubscribe"));
        cmd.addAll(mpiArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "mpirun finished");
        return new Ran(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static List<String> with(List<String> base, String... more) {
        List<String> a = new ArrayList<>(base);
        a.addAll(List.of(more));
        return a;
    }

    static Map<String, Tensor> weights(Path run) throws IOException {
        return SafeTensors.read(run.resolve("checkpoints/step-0000020/model.safetensors")).tensors();
    }

    @Test
    void twoRanksEndWhereOneProcessWithTheGlobalBatchEnds() throws Exception {
        Path two = tmp.resolve("two");
        Path again = tmp.resolve("again");
        Path one = tmp.resolve("one");
        List<String> np2 = new ArrayList<>(List.of("-np", "2"));
        Ran r = mpirun(with(np2, java(with(RUN, "--batch", "4", "--out", two.toString()), true).toArray(String[]::new)));
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("data parallel: MPI, 2 ranks (Open MPI"), r.output());
        assertTrue(r.output().contains("global batch 8 (batch 4 per rank)"), r.output());
        assertTrue(r.output().contains("tok/s (2 ranks)"), "the progress line counts every rank's tokens: " + r.output());
        assertEquals(1, r.output().lines().filter(l -> l.startsWith("done: ")).count(), "only rank 0 speaks: " + r.output());
        assertFalse(r.output().contains("\r") || r.output().contains("\u001b"),
                "a log of mpirun's output has no carriage returns or escape codes: " + r.output());
        Ran r2 = mpirun(with(np2, java(with(RUN, "--batch", "4", "--out", again.toString())).toArray(String[]::new)));
        assertEquals(0, r2.code(), r2.output());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new Main().run(with(RUN, "--batch", "8", "--out", one.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
        Map<String, Tensor> a = weights(two);
        Map<String, Tensor> b = weights(again);
        Map<String, Tensor> c = weights(one);
        assertEquals(c.keySet(), a.keySet());
        double worst = 0;
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).data(), b.get(name).data(), 0f, name + " differs between two identical 2-rank runs");
            float[] x = a.get(name).data();
            float[] y = c.get(name).data();
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i])));
            }
        }
        assertTrue(worst <= 1e-5, "2 ranks × 4 vs 1 × 8 after 20 steps: worst relative difference " + worst);
        // Resuming with another rank count is refused, naming what was saved.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int resumed = new Main().run(List.of("train", "--resume", two.resolve("checkpoints/step-0000020").toString(),
                "--steps", "25"), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertNotEquals(0, resumed);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("trained by 2 rank(s)"), err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.exists(two.resolve("metrics.jsonl")));
    }

    @Test
    void aKilledRankStopsTheRunAndTheLastCheckpointResumes() throws Exception {
        Path dir = tmp.resolve("killed");
        List<String> train = List.of("train", "--task", "mqar", "--steps", "100000", "--backend", "cpu", "--batch", "4",
                "--checkpoint-every", "5", "--eval-every", "0", "--out", dir.toString());
        List<String> cmd = new ArrayList<>(List.of("mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2"));
        cmd.addAll(java(train));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile()).start();
        try {
            Path checkpoints = dir.resolve("checkpoints");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (countCheckpoints(checkpoints) < 2 && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(200);
            }
            assertTrue(countCheckpoints(checkpoints) >= 2, "two checkpoints were written: " + Files.readString(tmp.resolve("killed.log")));
            ProcessHandle rank = p.descendants().filter(h -> h.info().commandLine().orElse("").contains("org.pararnn.lm.cli.Main"))
                    .reduce((a, b) -> b).orElseThrow();
            long killed = System.nanoTime();
            rank.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "mpirun stops the other rank within 30 s");
            double seconds = (System.nanoTime() - killed) / 1e9;
            assertNotEquals(0, p.exitValue());
            assertTrue(seconds < 30, "stopped after " + seconds + " s");
        } finally {
            p.destroyForcibly();
        }
        Path last;
        try (var s = Files.list(dir.resolve("checkpoints"))) {
            last = s.filter(x -> x.getFileName().toString().startsWith("step-")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        int at = Integer.parseInt(last.getFileName().toString().substring(5));
        List<String> resume = new ArrayList<>(List.of("-np", "2"));
        resume.addAll(java(List.of("train", "--resume", last.toString(), "--steps", String.valueOf(at + 3))));
        Ran r = mpirun(resume);
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("resuming " + last + " at step " + at), r.output());
        assertTrue(Files.isDirectory(dir.resolve("checkpoints").resolve(String.format("step-%07d", at + 3))), r.output());
    }

    private static long countCheckpoints(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var s = Files.list(dir)) {
            return s.filter(x -> x.getFileName().toString().startsWith("step-")).count();
        }
    }

    @Test
    void ranksGivenDifferentOptionsAreRefusedAtStart() throws Exception {
        Path dir = tmp.resolve("differ");
        List<String> args = new ArrayList<>(List.of("-np", "1"));
        args.addAll(java(with(RUN, "--batch", "4", "--out", dir.toString())));
        args.addAll(List.of(":", "-np", "1"));
        args.addAll(java(with(RUN, "--batch", "5", "--out", dir.toString())));
        Ran r = mpirun(args);
        assertNotEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("was given another run than rank 0"), r.output());
        assertTrue(!Files.exists(dir.resolve("checkpoints")), "nothing was trained");
    }
}
