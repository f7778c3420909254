package org.pararnn.lm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.Tensor;
import org.pararnn.api.io.SafeTensors;
import org.pararnn.api.reference.ReferenceBackend;
import org.pararnn.cells.ParaCell;
import org.pararnn.cells.ParaGRU;

/**
 * {@code ./pararnn apply} on files written by another tool: {@code src/test/resources/interop/make_fixtures.py}
 * (Python standard library only) writes weights and inputs in mixed F32/F64 and computes the expected
 * {@code y} with its own float64 ParaGRU/ParaLSTM and every gradient by float64 central differences.
 * Bound: relative L2 ≤ 1e-5 (float32 solve against float64; FD error ~1e-9).
 */
class ApplyCommandTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        out.reset();
        err.reset();
        return new Main().run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    static Path fixture(String name) {
        try {
            return Path.of(ApplyCommandTest.class.getResource("/interop/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"paragru, sequential", "paragru, parallel", "paralstm, sequential", "paralstm, parallel"})
    void matchesThePythonReference(String cell, String mode) throws IOException {
        Path result = dir.resolve("out.safetensors");
        int rc = run("apply", "--cell", cell, "--weights", fixture("weights_" + cell + ".safetensors").toString(),
                "--input", fixture("input_" + cell + ".safetensors").toString(), "--out", result.toString(),
                "--mode", mode);
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        String report = out.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("forward:  mode=" + mode.toUpperCase()), report);
        assertTrue(report.contains("backward: mode="), report);
        Map<String, Tensor> got = SafeTensors.read(result).tensors();
        Map<String, Tensor> want = SafeTensors.read(fixture("expected_" + cell + ".safetensors")).tensors();
        assertEquals(want.keySet(), got.keySet());
        for (String name : want.keySet()) {
            assertArrayEquals(want.get(name).shape(), got.get(name).shape(), name);
            double err = relError(got.get(name).data(), want.get(name).data());
            assertTrue(err <= 1e-5, cell + " " + mode + " " + name + ": relative error " + err);
        }
    }

    /** The CUDA backend's fused kernels, run on the emulator, against the same float64 reference. */
    @ParameterizedTest(name = "{0} fused on cuda-emulated")
    @CsvSource({"paragru", "paralstm"})
    void theCudaFusedKernelsMatchThePythonReference(String cell) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.pararnn.api.spi.Backends.fromEnvironment().survey().stream()
                .anyMatch(b -> b.name().equals("cuda-emulated") && b.available()), "cuda-emulated unavailable here");
        Path result = dir.resolve("out-cuda.safetensors");
        int rc = run("apply", "--cell", cell, "--weights", fixture("weights_" + cell + ".safetensors").toString(),
                "--input", fixture("input_" + cell + ".safetensors").toString(), "--out", result.toString(),
                "--mode", "fused", "--backend", "cuda-emulated");
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        String report = out.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("forward:  mode=FUSED backend=cuda-emulated") && report.contains("B to the device"), report);
        Map<String, Tensor> got = SafeTensors.read(result).tensors();
        Map<String, Tensor> want = SafeTensors.read(fixture("expected_" + cell + ".safetensors")).tensors();
        assertEquals(want.keySet(), got.keySet());
        for (String name : want.keySet()) {
            double e = relError(got.get(name).data(), want.get(name).data());
            assertTrue(e <= 1e-5, cell + " fused on cuda-emulated " + name + ": relative error " + e);
        }
    }

    @Test
    void savedWeightsReloadToIdenticalOutputs() throws IOException {
        ParaGRU cell = ParaGRU.create(6, 8, 2, 3);
        Path w = dir.resolve("w.safetensors");
        SafeTensors.write(w, cell.parameters(), Map.of());
        ParaCell loaded = ApplyCommand.loadCell("paragru", w);
        float[] x = new float[2 * 7 * 6];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        RnnSolver solver = RnnSolver.on(new ReferenceBackend()).mode(Mode.SEQUENTIAL);
        assertArrayEquals(solver.forward(cell, x, 2, 7).output(), solver.forward(loaded, x, 2, 7).output());
    }

    @Test
    void badInputGetsOneLineNamingTheTensor() throws IOException {
        Path weights = dir.resolve("w.safetensors");
        SafeTensors.write(weights, List.of(Tensor.zeros("A", 3, 6), Tensor.zeros("b", 3, 6)), Map.of());
        Path outFile = dir.resolve("o.safetensors");
        String gruInput = fixture("input_paragru.safetensors").toString();
        assertEquals(1, run("apply", "--cell", "paragru", "--weights", weights.toString(), "--input", gruInput, "--out", outFile.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing tensor 'B'"), err.toString(StandardCharsets.UTF_8));

        SafeTensors.write(weights, List.of(Tensor.zeros("A", 3, 6), Tensor.zeros("B", 2, 3, 3, 3), Tensor.zeros("b", 3, 6)), Map.of());
        assertEquals(1, run("apply", "--cell", "paragru", "--weights", weights.toString(), "--input", gruInput, "--out", outFile.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("tensor 'x' has shape [2, 5, 4] but [B,T,6] is expected"),
                err.toString(StandardCharsets.UTF_8));

        Path corrupt = dir.resolve("c.safetensors");
        Files.write(corrupt, new byte[] {9, 0, 0, 0, 0, 0, 0, 0, '{'});
        assertEquals(1, run("apply", "--cell", "paragru", "--weights", corrupt.toString(), "--input", gruInput, "--out", outFile.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("corrupt safetensors header length"), err.toString(StandardCharsets.UTF_8));

        assertEquals(2, run("apply", "--cell", "paragru", "--input", gruInput, "--out", outFile.toString()));
        assertEquals("error: apply: missing required option --weights", err.toString(StandardCharsets.UTF_8).trim());
        assertEquals(1, run("apply", "--cell", "paragru", "--weights", fixture("weights_paragru.safetensors").toString(),
                "--input", gruInput, "--out", outFile.toString(), "--backend", "tpu"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("error: --backend tpu names no backend on the class path; found: "),
                err.toString(StandardCharsets.UTF_8));
        assertTrue(!Files.exists(outFile), "nothing written on failure");
    }

    static double relError(float[] a, float[] ref) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - ref[i];
            num += d * d;
            den += (double) ref[i] * ref[i];
        }
        return Math.sqrt(num / den);
    }
}
