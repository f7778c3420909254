package org.pararnn.lm.train;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pararnn.api.io.Json;

/**
 * {@code metrics.jsonl} in the run directory: one JSON object per line, {@code "kind": "train"} per
 * optimiser step and {@code "kind": "eval"} per evaluation. A resumed run first drops lines from steps
 * after its checkpoint, then appends, so the file always tells one consistent history.
 */
public final class Metrics implements Closeable {
    private final Path file;
    private final BufferedWriter out;
    private final List<double[]> train = new ArrayList<>();
    private final List<double[]> eval = new ArrayList<>();

    /** Curves kept in memory, nothing written: what ranks other than 0 of a data-parallel run keep. */
    public static Metrics inMemory() {
        return new Metrics();
    }

    private Metrics() {
        this.file = null;
        this.out = null;
    }

    public Metrics(Path file, int resumeStep) throws IOException {
        this.file = file;
        List<String> kept = new ArrayList<>();
        if (resumeStep > 0 && Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                Map<?, ?> m = (Map<?, ?>) Json.parse(line);
                int step = ((Number) m.get("step")).intValue();
                if (step <= resumeStep) {
                    kept.add(line);
                    remember(m);
                }
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, kept, StandardCharsets.UTF_8);
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private void remember(Map<?, ?> m) {
        double step = ((Number) m.get("step")).doubleValue();
        if ("train".equals(m.get("kind"))) {
            train.add(new double[] {step, ((Number) m.get("loss")).doubleValue()});
        } else if ("eval".equals(m.get("kind"))) {
            Object acc = m.get("accuracy");
            eval.add(new double[] {step, ((Number) m.get("loss")).doubleValue(),
                    acc instanceof Number n ? n.doubleValue() : Double.NaN});
        }
    }

    public Path file() {
        return file;
    }

    public void log(Map<String, Object> record) throws IOException {
        if (out != null) {
            out.write(Json.write(record));
            out.newLine();
            out.flush();
        }
        remember(record);
    }

    public static Map<String, Object> record(String kind, int step) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("step", step);
        return m;
    }

    /** {@code [step, loss]} per training step so far. */
    public List<double[]> trainCurve() {
        return train;
    }

    /** {@code [step, loss, accuracy]} per evaluation so far. */
    public List<double[]> evalCurve() {
        return eval;
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }
}
