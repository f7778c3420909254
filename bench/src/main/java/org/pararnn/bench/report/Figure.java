package org.pararnn.bench.report;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One measured figure of a bench run: what ran (backend, kind, subject, pass, mode, shape), every run's time,
 * the floor measured beside it, and its paired ratio against the baseline (sequential), when it has one.
 *
 * @param kind      {@code scan}, {@code cell} or {@code model}
 * @param subject   the structure ({@code diagonal}, {@code block-diagonal(2)}, {@code dense}), the cell ({@code paragru},
 *                  {@code paralstm}) or the model figure ({@code train-step}, {@code generate})
 * @param pass      {@code forward}, {@code reverse}, {@code forward+backward}, or for models {@code step} / {@code tokens}
 * @param mode      how it ran: for cells {@code sequential}, {@code newton-in-time}, {@code parallel}, {@code auto};
 *                  for scans and models the backend's own
 * @param steps     {@code T} (for models, tokens per sequence)
 * @param lanes     {@code B·D} (for models, the batch)
 * @param units     what one run does: element-steps ({@code T·B·D}) or tokens
 * @param samplesMs every run's time, sorted
 * @param floorMs   median time of the floor (the same bytes read and written by a plain pass), NaN when none
 * @param ratios    per pair of blocks, baseline time ÷ this time (a speedup), sorted; empty without a baseline
 * @param detail    what the solver said it did (iterations, strategy), or why the figure is missing
 * @param counts    one run's kernels as the backend counts them (an emulated device), or null
 */
public record Figure(String backend, String kind, String subject, String pass, String mode, int steps, int lanes,
                     double units, String unit, double[] samplesMs, double floorMs, double[] ratios, String detail,
                     org.pararnn.api.spi.KernelTally counts) {

    /** A figure whose backend does not count its kernels. */
    public Figure(String backend, String kind, String subject, String pass, String mode, int steps, int lanes, double units,
                  String unit, double[] samplesMs, double floorMs, double[] ratios, String detail) {
        this(backend, kind, subject, pass, mode, steps, lanes, units, unit, samplesMs, floorMs, ratios, detail, null);
    }

    public String id() {
        return id(backend, kind, subject, pass, mode, steps, lanes);
    }

    /** A figure's key in results.json and for {@code --compare} (also of the figures a run could not measure). */
    static String id(String backend, String kind, String subject, String pass, String mode, int steps, int lanes) {
        return backend + "/" + kind + "/" + subject + "/" + pass + "/" + mode + "/T=" + steps + "/BD=" + lanes;
    }

    public double median() {
        return quantile(samplesMs, 0.5);
    }

    public double q1() {
        return quantile(samplesMs, 0.25);
    }

    public double q3() {
        return quantile(samplesMs, 0.75);
    }

    /** Nanoseconds per unit (element-step or token) at the median. */
    public double nsPerUnit() {
        return median() * 1e6 / units;
    }

    /** Units per second at the median. */
    public double rate() {
        return units / (median() / 1e3);
    }

    /** Floor time ÷ this time: the fraction of the memory floor reached (NaN without a floor). */
    public double floorFraction() {
        return floorMs / median();
    }

    public boolean hasRatio() {
        return ratios.length > 0;
    }

    public double ratioMedian() {
        return quantile(ratios, 0.5);
    }

    public double ratioQ1() {
        return quantile(ratios, 0.25);
    }

    public double ratioQ3() {
        return quantile(ratios, 0.75);
    }

    /** The {@code p}-quantile of sorted values (lower of the two middles), NaN when empty. */
    static double quantile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id());
        m.put("backend", backend);
        m.put("kind", kind);
        m.put("subject", subject);
        m.put("pass", pass);
        m.put("mode", mode);
        m.put("steps", steps);
        m.put("lanes", lanes);
        m.put("units", units);
        m.put("unit", unit);
        m.put("median_ms", median());
        m.put("q1_ms", q1());
        m.put("q3_ms", q3());
        m.put("ns_per_unit", nsPerUnit());
        m.put("floor_ms", Double.isNaN(floorMs) ? null : floorMs);
        m.put("floor_fraction", Double.isNaN(floorMs) ? null : floorFraction());
        m.put("speedup_vs_sequential", hasRatio() ? List.of(ratioQ1(), ratioMedian(), ratioQ3()) : null);
        m.put("detail", detail);
        m.put("samples_ms", Arrays.stream(samplesMs).boxed().toList());
        m.put("ratios", Arrays.stream(ratios).boxed().toList());
        if (counts != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("launches", counts.launches());
            c.put("dependent_phases", counts.phases());
            c.put("bytes_read", counts.bytesRead());
            c.put("bytes_written", counts.bytesWritten());
            c.put("bytes_per_unit", counts.bytes() / units);
            c.put("most_blocks", counts.mostBlocks());
            m.put("emulator_counts", c);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    static Figure fromJson(Map<String, Object> m) {
        return new Figure((String) m.get("backend"), (String) m.get("kind"), (String) m.get("subject"), (String) m.get("pass"),
                (String) m.get("mode"), ((Number) m.get("steps")).intValue(), ((Number) m.get("lanes")).intValue(),
                ((Number) m.get("units")).doubleValue(), (String) m.get("unit"), doubles((List<Object>) m.get("samples_ms")),
                m.get("floor_ms") == null ? Double.NaN : ((Number) m.get("floor_ms")).doubleValue(),
                doubles((List<Object>) m.get("ratios")), (String) m.get("detail"), counts((Map<String, Object>) m.get("emulator_counts")));
    }

    private static org.pararnn.api.spi.KernelTally counts(Map<String, Object> c) {
        return c == null ? null : new org.pararnn.api.spi.KernelTally(((Number) c.get("launches")).longValue(),
                ((Number) c.get("dependent_phases")).longValue(), ((Number) c.get("bytes_read")).longValue(),
                ((Number) c.get("bytes_written")).longValue(), ((Number) c.get("most_blocks")).longValue());
    }

    private static double[] doubles(List<Object> list) {
        return list == null ? new double[0] : list.stream().mapToDouble(o -> ((Number) o).doubleValue()).sorted().toArray();
    }
}
