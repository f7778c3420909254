package org.pararnn.cells.lang;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pararnn.api.spi.CellTape;

/**
 * The portable tape ({@link CellTape}) of every cell-language cell: encoded to words and constants and read back,
 * each of its three programs run by the reference interpreter gives exactly (bit for bit) what the cell's own host
 * tapes give on random rows, and its step what {@link ExpressionCell#step} gives. Damaged encodings are refused
 * naming what is wrong.
 */
class CellTapeTest {
    private static final int D = 6;

    private static Map<String, ExpressionCell> cells() {
        Map<String, ExpressionCell> all = new LinkedHashMap<>();
        CellLibrary.all().forEach((name, spec) -> all.put(name, spec.cell(D, D, 1, 3)));
        all.put("hard.tanh-gain2", HardCells.unstableTanh(D, D, 2, 3));
        all.put("hard.chaotic", HardCells.chaoticMap(D, D, 4, 3));
        return all;
    }

    private static List<String> names(CellTape t) {
        List<String> n = new ArrayList<>();
        t.params().forEach(p -> n.add(p.name()));
        return n;
    }

    @Test
    void everyLibraryCellsTapeSurvivesItsEncodingAndRunsAsTheHostTapesBitForBit() {
        SplittableRandom r = new SplittableRandom(5);
        for (Map.Entry<String, ExpressionCell> e : cells().entrySet()) {
            ExpressionCell cell = e.getValue();
            CellTape tape = cell.tape();
            CellTape.Encoded enc = tape.encode();
            assertEquals(CellTape.MAGIC, enc.words()[0]);
            CellTape back = CellTape.decode(enc, names(tape));
            assertArrayEquals(enc.words(), back.encode().words(), e.getKey() + ": encode(decode(x)) = x");
            assertArrayEquals(enc.constants(), back.encode().constants(), e.getKey());
            CellTape.Program[] programs = {back.step(), back.jacobian(), back.adjoint()};
            List<Tape> host = cell.hostTapes();
            int k = tape.blocks();
            int g = tape.gates();
            for (int trial = 0; trial < 5; trial++) {
                float[] h = random(r, 2 + k * D);
                float[] u = random(r, 3 + g * D);
                for (int p = 0; p < 3; p++) {
                    float[][] mine = new float[programs[p].registers()][D];
                    float[][] theirs = new float[host.get(p).registers()][D];
                    programs[p].run(h, 2, u, 3, cell.parameterArrays(), mine, D);
                    host.get(p).run(h, 2, u, 3, cell.parameterArrays(), theirs, D);
                    for (int o = 0; o < programs[p].outputs().length; o++) {
                        assertArrayEquals(theirs[host.get(p).output(o)], mine[programs[p].outputs()[o]],
                                e.getKey() + " program " + p + " output " + o);
                    }
                }
                float[] next = new float[k * D];
                cell.step(h, 2, u, 3, next, 0);
                float[][] regs = new float[programs[0].registers()][D];
                programs[0].run(h, 2, u, 3, cell.parameterArrays(), regs, D);
                for (int b = 0; b < k; b++) {
                    float[] block = java.util.Arrays.copyOfRange(next, b * D, (b + 1) * D);
                    assertArrayEquals(block, regs[programs[0].outputs()[b]], e.getKey() + " step block " + b);
                }
            }
            int expectedEntries = cell.jacobianStructure() instanceof org.pararnn.api.JacobianStructure.Diagonal ? k : k * k;
            assertEquals(expectedEntries, tape.entries().size(), e.getKey());
            assertEquals(k + tape.entries().size() + k * tape.matvecs().size(), tape.jacobian().outputs().length, e.getKey());
        }
    }

    @Test
    void aDamagedEncodingIsRefusedNamingWhatIsWrong() {
        ExpressionCell cell = CellLibrary.all().get("paragru").cell(D, D, 1, 3);
        CellTape tape = cell.tape();
        CellTape.Encoded good = tape.encode();
        List<String> names = names(tape);
        assertTrue(refusal(good.words().clone(), 0, 7, good, names).contains("not a cell tape"));
        assertTrue(refusal(good.words().clone(), 1, 99, good, names).contains("version 99"));
        int[] cut = java.util.Arrays.copyOf(good.words(), good.words().length - 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CellTape.decode(new CellTape.Encoded(cut, good.constants()),
                names)).getMessage().contains("ends while reading"));
        int[] longer = java.util.Arrays.copyOf(good.words(), good.words().length + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CellTape.decode(new CellTape.Encoded(longer,
                good.constants()), names)).getMessage().contains("after its end"));
        // The step program's first instruction: header (5 words + 2 per parameter) then the program's 4 header words.
        int first = 5 + 2 * names.size() + 4;
        assertTrue(refusal(good.words().clone(), first, 77, good, names).contains("unknown operation code 77"));
        int[] outOfRange = good.words().clone();
        outOfRange[first + 1] = 10_000;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CellTape.decode(new CellTape.Encoded(outOfRange,
                good.constants()), names)).getMessage().contains("writes register 10000"));
    }

    @Test
    void packingForADeviceChecksEveryParameterAndTheRows() {
        ExpressionCell cell = CellLibrary.all().get("gru").cell(D, D, 1, 3);
        CellTape tape = cell.tape();
        List<float[]> params = new ArrayList<>(List.of(cell.parameterArrays()));
        float[] h = new float[2 * tape.blocks() * D];
        float[] u = new float[2 * tape.gates() * D];
        CellTape.PackedParams packed = tape.pack(params, h, u, 2, D);
        for (int p = 0; p < params.size(); p++) {
            float[] part = java.util.Arrays.copyOfRange(packed.data(), packed.offsets()[p], packed.offsets()[p] + params.get(p).length);
            assertArrayEquals(params.get(p), part, tape.params().get(p).name());
        }
        assertEquals(params.stream().mapToInt(a -> a.length).sum(), packed.data().length);
        params.set(0, new float[1]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> tape.pack(params, h, u, 2, D)).getMessage()
                .contains("has 1 values; the tape reads"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> tape.pack(List.of(cell.parameterArrays()), h, u, 3, D))
                .getMessage().contains("shorter than 3 rows"));
    }

    private static String refusal(int[] words, int at, int value, CellTape.Encoded good, List<String> names) {
        words[at] = value;
        return assertThrows(IllegalArgumentException.class,
                () -> CellTape.decode(new CellTape.Encoded(words, good.constants()), names)).getMessage();
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }
}
