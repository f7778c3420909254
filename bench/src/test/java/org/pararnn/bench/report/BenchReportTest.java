package org.pararnn.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pararnn.api.io.Json;

/** {@code ./pararnn bench --quick} on a tiny shape set, end to end: the files it writes and what they must hold. */
class BenchReportTest {
    /** One shape where cpu's AUTO runs Newton in time (one feature, T = 256), so each mode's column is checked against what ran. */
    static final List<String> SHAPES = List.of("64:4", "256:1");

    @TempDir
    static Path tmp;
    static Path first;
    static String output;

    @BeforeAll
    static void runOnce() {
        System.setProperty("java.awt.headless", "true");
        first = tmp.resolve("first");
        // Short JIT warm-ups: this test checks what is written, not the numbers.
        output = run("--quick", "--shapes", String.join(",", SHAPES), "--backends", "cpu,opencl,cuda", "--out", first.toString(),
                "--warmup-ms", "100");
    }

    static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = BenchMain.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> results(Path dir) throws IOException {
        return (Map<String, Object>) Json.parse(Files.readString(dir.resolve("results.json")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void resultsHoldEveryBackendModeAndShapeRequested() throws IOException {
        Map<String, Object> r = results(first);
        List<Map<String, Object>> backends = (List<Map<String, Object>>) r.get("backends");
        List<Map<String, Object>> figures = (List<Map<String, Object>>) r.get("figures");
        List<Map<String, Object>> absent = (List<Map<String, Object>>) r.get("absent");
        Set<String> ids = new HashSet<>();
        figures.forEach(f -> ids.add((String) f.get("id")));
        absent.forEach(a -> {
            ids.add((String) a.get("id"));
            assertFalse(((String) a.get("reason")).isBlank(), a.toString());
        });
        List<String> measured = backends.stream().filter(b -> (Boolean) b.get("benchmarked")).map(b -> (String) b.get("name")).toList();
        assertTrue(measured.contains("cpu"), backends.toString());
        for (String b : List.of("cpu", "opencl", "cuda")) {
            assertTrue(backends.stream().anyMatch(x -> x.get("name").equals(b)), "backend " + b + " is listed: " + backends);
        }
        for (String b : measured) {
            for (String shape : SHAPES) {
                String[] tb = shape.split(":");
                String at = "/T=" + tb[0] + "/BD=" + tb[1];
                for (String cell : BenchRun.CELLS) {
                    for (String pass : BenchRun.PASSES) {
                        for (String mode : BenchRun.CELL_MODES) {
                            String id = b + "/cell/" + cell + "/" + pass + "/" + mode + at;
                            assertTrue(ids.contains(id), "missing " + id);
                        }
                    }
                }
                for (String st : List.of("diagonal", "block-diagonal(2)", "dense")) {
                    for (String dir : List.of("forward", "reverse")) {
                        assertTrue(ids.contains(b + "/scan/" + st + "/" + dir + "/" + b + at), "missing scan " + st + " " + dir + " on " + b);
                    }
                }
            }
            assertTrue(ids.stream().anyMatch(i -> i.startsWith(b + "/model/train-step/")), b + " train step");
            assertTrue(ids.stream().anyMatch(i -> i.startsWith(b + "/model/generate/")), b + " generation");
        }
        // What ran is what the column says (the fused strategy is read when a solver is made on cpu).
        for (Map<String, Object> f : figures) {
            if (f.get("backend").equals("cpu") && f.get("kind").equals("cell")) {
                String detail = (String) f.get("detail");
                if (f.get("mode").equals("sequential")) {
                    assertFalse(detail.contains("Newton in time"), f.get("id") + ": " + detail);
                } else if (f.get("mode").equals("newton-in-time")) {
                    assertTrue(detail.contains("Newton in time"), f.get("id") + ": " + detail);
                } else if (f.get("mode").equals("parallel")) {
                    assertTrue(detail.contains("generic Newton"), f.get("id") + ": " + detail);
                }
            }
        }
        for (Map<String, Object> f : figures) {
            List<Object> samples = (List<Object>) f.get("samples_ms");
            assertFalse(samples.isEmpty(), f.get("id").toString());
            assertTrue(samples.stream().allMatch(v -> ((Number) v).doubleValue() > 0), f.get("id").toString());
            if (f.get("kind").equals("cell") && !f.get("mode").equals("sequential")) {
                assertNotNull(f.get("speedup_vs_sequential"), "a paired ratio for " + f.get("id"));
                assertNotNull(f.get("floor_fraction"), "a floor for " + f.get("id"));
            }
        }
    }

    @Test
    void theReportNamesSkippedBackendsWithTheirReasons() throws IOException {
        String report = Files.readString(first.resolve("report.md"));
        Map<String, Object> r = results(first);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> backends = (List<Map<String, Object>>) r.get("backends");
        for (Map<String, Object> b : backends) {
            if (!(Boolean) b.get("available")) {
                String line = report.lines().filter(l -> l.startsWith("| " + b.get("name") + " |")).findFirst().orElse("");
                assertTrue(line.contains("| no | no |") && line.contains(((String) b.get("reason")).replace('|', '/')), line);
                assertTrue(output.contains("skipped " + b.get("name") + ": "), output);
            }
        }
        assertTrue(report.contains("## Reading") && report.contains("## Cells") && report.contains("## Scans") && report.contains("## Model"),
                report);
        assertTrue(report.contains("tokens/s"), report);
    }

    @Test
    void everyPlotDecodesAndIsNotBlank() throws IOException {
        List<Path> pngs;
        try (Stream<Path> s = Files.list(first)) {
            pngs = s.filter(p -> p.toString().endsWith(".png")).toList();
        }
        // per cell, pass and B·D of the shapes: time, floor and speedup; and the scans' plot
        assertEquals(BenchRun.CELLS.size() * BenchRun.PASSES.size() * 3 * SHAPES.size() + 1, pngs.size(), pngs.toString());
        for (Path p : pngs) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertNotNull(img, p + " decodes");
            Set<Integer> colours = new HashSet<>();
            int inked = 0;
            for (int y = 0; y < img.getHeight(); y += 2) {
                for (int x = 0; x < img.getWidth(); x += 2) {
                    int rgb = img.getRGB(x, y) & 0xffffff;
                    colours.add(rgb);
                    if (rgb != 0xffffff) {
                        inked++;
                    }
                }
            }
            assertTrue(colours.size() > 8 && inked > img.getWidth() * img.getHeight() / 4 / 100, p + ": " + colours.size()
                    + " colours, " + inked + " inked samples");
        }
    }

    @Test
    void compareMarksWhatMovedAgainstAnEarlierRun() throws IOException {
        Path second = tmp.resolve("second");
        String out = run("--quick", "--shapes", "64:4", "--backends", "cpu", "--out", second.toString(), "--compare", first.toString(),
                "--warmup-ms", "100");
        assertTrue(out.contains("compared with " + first), out);
        String report = Files.readString(second.resolve("report.md"));
        assertTrue(report.contains("## Compared with " + first), report);
        assertTrue(report.matches("(?s).*\\d+ figures in both runs; \\d+ moved.*"), report);
    }

    /** On cuda-emulated every figure also carries the emulator's counts of one run, in results.json and report.md; cpu's none. */
    @Test
    @SuppressWarnings("unchecked")
    void theEmulatorsCountsAreReportedBesideItsFigures() throws IOException {
        Path third = tmp.resolve("third");
        run("--quick", "--shapes", "256:1", "--backends", "cpu,cuda-emulated", "--out", third.toString(), "--warmup-ms", "100");
        List<Map<String, Object>> figures = (List<Map<String, Object>>) results(third).get("figures");
        int counted = 0;
        for (Map<String, Object> f : figures) {
            Map<String, Object> c = (Map<String, Object>) f.get("emulator_counts");
            if (f.get("backend").equals("cpu")) {
                assertEquals(null, c, f.get("id").toString());
                continue;
            }
            if (!f.get("kind").equals("scan") && !f.get("kind").equals("cell")) {
                continue;
            }
            assertTrue(c != null && ((Number) c.get("dependent_phases")).longValue() > 0 && ((Number) c.get("launches")).longValue() > 0
                    && ((Number) c.get("bytes_per_unit")).doubleValue() > 0, f.get("id") + ": " + c);
            counted++;
        }
        assertTrue(counted >= 6, "counted figures: " + counted);
        String report = Files.readString(third.resolve("report.md"));
        assertTrue(report.contains("## Kernels as the emulator counts them") && report.contains("| `cuda-emulated/scan/diagonal/forward/"),
                report);
    }

    @Test
    void badArgumentsAreRefusedNamingThem() {
        for (String[] args : List.of(new String[] {"--shapes", "64x4"}, new String[] {"--backends", "nope"},
                new String[] {"--compare", tmp.resolve("none").toString()}, new String[] {"--frobnicate"})) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int rc = BenchMain.run(List.of(args), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(1, rc, String.join(" ", args));
            String msg = err.toString(StandardCharsets.UTF_8);
            assertTrue(msg.startsWith("error: bench: "), msg);
        }
    }

    @Test
    void rankSumSeesAShiftAndNotNoise() {
        double[] a = {1.00, 1.01, 0.99, 1.02, 0.98, 1.00, 1.01, 0.99};
        double[] same = {1.01, 0.99, 1.00, 1.02, 0.98, 1.00, 0.99, 1.01};
        double[] slower = {1.20, 1.21, 1.19, 1.22, 1.18, 1.20, 1.21, 1.19};
        assertTrue(Math.abs(Compare.rankSumZ(a, same)) < 1, "no shift");
        assertTrue(Compare.rankSumZ(a, slower) > Compare.Z, "a clear shift");
        assertTrue(Compare.rankSumZ(slower, a) < -Compare.Z, "and its sign");
    }
}
