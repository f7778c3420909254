package org.pararnn.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.pararnn.api.io.AtomicFiles;
import org.pararnn.api.io.Json;

/** Writes a run's {@code results.json}, its PNG plots and {@code report.md} (tables and a short automatic reading). */
final class Report {
    /** Backends as surveyed: name → {available, benchmarked, device or reason}. */
    record BackendLine(String name, boolean available, boolean benchmarked, String text) {
    }

    private final Path dir;
    private final Map<String, Object> meta;
    private final List<BackendLine> backends;
    private final List<Figure> figures;
    private final List<Map<String, Object>> absent;
    private final Compare.Result comparison;
    private final List<String> plots = new ArrayList<>();

    Report(Path dir, Map<String, Object> meta, List<BackendLine> backends, List<Figure> figures, List<Map<String, Object>> absent,
           Compare.Result comparison) {
        this.dir = dir;
        this.meta = meta;
        this.backends = backends;
        this.figures = figures;
        this.absent = absent;
        this.comparison = comparison;
    }

    void write() throws IOException {
        Map<String, Object> root = new LinkedHashMap<>(meta);
        List<Object> bl = new ArrayList<>();
        for (BackendLine b : backends) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", b.name());
            m.put("available", b.available());
            m.put("benchmarked", b.benchmarked());
            m.put(b.available() ? "device" : "reason", b.text());
            bl.add(m);
        }
        root.put("backends", bl);
        root.put("figures", figures.stream().map(Figure::toJson).toList());
        root.put("absent", absent);
        AtomicFiles.writeString(dir.resolve("results.json"), Json.write(root));
        plots();
        AtomicFiles.writeString(dir.resolve("report.md"), markdown());
    }

    private List<Figure> select(String backend, String kind, String subject, String pass) {
        return figures.stream().filter(f -> (backend == null || f.backend().equals(backend)) && f.kind().equals(kind)
                && f.subject().equals(subject) && f.pass().equals(pass)).toList();
    }

    private static List<Integer> lanesOf(List<Figure> fs) {
        return new ArrayList<>(fs.stream().map(Figure::lanes).collect(Collectors.toCollection(TreeSet::new)));
    }

    private List<String> benchmarked() {
        return backends.stream().filter(BackendLine::benchmarked).map(BackendLine::name).toList();
    }

    /** Whether this runtime can draw PNGs (a jlinked runtime, as the GPU script carries, may lack java.desktop). */
    static boolean canDraw() {
        return ModuleLayer.boot().findModule("java.desktop").isPresent();
    }

    private void plots() throws IOException {
        if (!canDraw()) {
            return;
        }
        for (String cell : BenchRun.CELLS) {
            for (String pass : BenchRun.PASSES) {
                List<Figure> fs = select(null, "cell", cell, pass);
                for (int bd : lanesOf(fs)) {
                    String base = cell + "-" + pass.replace('+', '-') + "-BD" + bd;
                    String what = cell + " " + pass + ", B·D = " + bd;
                    plot(fs, bd, base + "-time.png", "Time per element-step: " + what, "ns per element-step", true, Figure::nsPerUnit);
                    plot(fs, bd, base + "-floor.png", "Fraction of the memory floor: " + what, "floor time / time", false,
                            Figure::floorFraction);
                    plot(fs.stream().filter(Figure::hasRatio).toList(), bd, base + "-speedup.png", "Speedup over sequential (paired median): "
                            + what, "sequential time / time", true, Figure::ratioMedian);
                }
            }
        }
        LogPlot scans = new LogPlot("Scans: time per element-step", "T", "ns per element-step", true);
        for (String b : benchmarked()) {
            for (String st : BenchRun.STRUCTURES.stream().map(s -> s.describe()).toList()) {
                for (String dirn : List.of("forward", "reverse")) {
                    List<Figure> fs = select(b, "scan", st, dirn);
                    List<Integer> lanes = lanesOf(fs);
                    if (lanes.isEmpty()) {
                        continue;
                    }
                    int bd = lanes.get(lanes.size() - 1);
                    scans.add(b + " " + st + " " + dirn + " BD=" + bd, points(fs, bd, Figure::nsPerUnit), dirn.equals("reverse"));
                }
            }
        }
        if (!scans.isEmpty()) {
            scans.write(dir.resolve("scans-time.png"));
            plots.add("scans-time.png");
        }
    }

    private void plot(List<Figure> fs, int bd, String file, String title, String yLabel, boolean logY, ToDoubleFunction<Figure> y)
            throws IOException {
        LogPlot p = new LogPlot(title, "T", yLabel, logY);
        List<String> bs = benchmarked();
        for (String b : bs) {
            for (String m : BenchRun.CELL_MODES) {
                List<Figure> series = fs.stream().filter(f -> f.backend().equals(b) && f.mode().equals(m)).toList();
                p.add(b + " " + m, points(series, bd, y), bs.indexOf(b) % 2 == 1);
            }
        }
        if (!p.isEmpty()) {
            p.write(dir.resolve(file));
            plots.add(file);
        }
    }

    private static List<double[]> points(List<Figure> fs, int bd, ToDoubleFunction<Figure> y) {
        return fs.stream().filter(f -> f.lanes() == bd).sorted(Comparator.comparingInt(Figure::steps))
                .map(f -> new double[] {f.steps(), y.applyAsDouble(f)}).toList();
    }

    private String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# ParaRNN-J bench report\n\n");
        sb.append(String.format(Locale.ROOT, "- Date: %s%n- Command: `%s`%n- Machine: %s%n- JVM: %s%n- Effort: %s%n%n",
                meta.get("date"), meta.get("command"), meta.get("machine"), meta.get("jvm"), meta.get("effort")));
        sb.append("## Backends\n\n| backend | available | benchmarked | device, or why not |\n|---|---|---|---|\n");
        for (BackendLine b : backends) {
            sb.append("| ").append(b.name()).append(" | ").append(b.available() ? "yes" : "no").append(" | ")
                    .append(b.benchmarked() ? "yes" : "no").append(" | ").append(b.text().replace('|', '/')).append(" |\n");
        }
        sb.append("\n## Reading\n\n");
        reading(sb);
        if (comparison != null) {
            compared(sb);
        }
        sb.append("\n## Cells\n\nPer mode: ns per element-step (median), speedup over sequential as paired median [quartiles], "
                + "and the fraction of the memory floor reached (floor time ÷ time; the floor reads `u` and writes the states once, "
                + "measured paired with the sequential solve).\n");
        for (String b : benchmarked()) {
            for (String cell : BenchRun.CELLS) {
                for (String pass : BenchRun.PASSES) {
                    List<Figure> fs = select(b, "cell", cell, pass);
                    if (fs.isEmpty()) {
                        continue;
                    }
                    sb.append("\n### ").append(b).append(": ").append(cell).append(' ').append(pass).append("\n\n| T | B·D |");
                    BenchRun.CELL_MODES.forEach(m -> sb.append(' ').append(m).append(" |"));
                    sb.append("\n|---|---|");
                    BenchRun.CELL_MODES.forEach(m -> sb.append("---|"));
                    sb.append('\n');
                    for (int[] shape : shapes(fs)) {
                        sb.append("| ").append(shape[0]).append(" | ").append(shape[1]).append(" |");
                        for (String m : BenchRun.CELL_MODES) {
                            Figure f = fs.stream().filter(x -> x.mode().equals(m) && x.steps() == shape[0] && x.lanes() == shape[1])
                                    .findFirst().orElse(null);
                            sb.append(' ').append(f == null ? "–" : cellText(f)).append(" |");
                        }
                        sb.append('\n');
                    }
                }
            }
        }
        sb.append("\n## Scans\n\nThe backend's scan alone (`LinearScan`), ns per element-step and the fraction of the floor (a plain "
                + "pass reading the coefficients and right-hand side and writing the states, paired with it).\n\n"
                + "| backend | structure | direction | T | B·D | ns/step | floor | detail |\n|---|---|---|---|---|---|---|---|\n");
        for (Figure f : figures) {
            if (f.kind().equals("scan")) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %.2f | %.0f %% | %s |%n", f.backend(), f.subject(),
                        f.pass(), f.steps(), f.lanes(), f.nsPerUnit(), 100 * f.floorFraction(), f.detail()));
            }
        }
        sb.append("\n## Model\n\n| backend | figure | median ms [quartiles] | tokens/s | what |\n|---|---|---|---|---|\n");
        for (Figure f : figures) {
            if (f.kind().equals("model")) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f [%.2f, %.2f] | %,.0f | %s |%n", f.backend(), f.subject(),
                        f.median(), f.q1(), f.q3(), f.rate(), f.detail()));
            }
        }
        if (!absent.isEmpty()) {
            sb.append("\n## Not measured\n\n");
            for (Map<String, Object> a : absent) {
                sb.append("- `").append(a.get("id")).append("`: ").append(a.get("reason")).append('\n');
            }
        }
        List<Figure> counted = figures.stream().filter(f -> f.counts() != null).toList();
        if (!counted.isEmpty()) {
            sb.append("\n## Kernels as the emulator counts them\n\nOne run of each figure on a backend that counts its kernels "
                    + "(an emulated device): its dependent phases on the critical path and the distinct global bytes it moved, "
                    + "which a GPU's depth and traffic follow and its time on this machine does not (docs/design.md §7).\n\n"
                    + "| figure | launches | dependent phases | most blocks | B / " + "unit |\n|---|---|---|---|---|\n");
            for (Figure f : counted) {
                sb.append(String.format(Locale.ROOT, "| `%s` | %d | %d | %d | %.2f |%n", f.id(), f.counts().launches(), f.counts().phases(),
                        f.counts().mostBlocks(), f.counts().bytes() / f.units()));
            }
        }
        sb.append("\n## Plots\n\n");
        if (!canDraw()) {
            sb.append("Not drawn: this Java runtime has no java.desktop module (a jlinked one); results.json holds every figure.\n\n");
        }
        for (String p : plots) {
            sb.append("![").append(p).append("](").append(p).append(")\n\n");
        }
        sb.append("## Method\n\nEvery cell mode is timed in blocks alternating with the sequential solve of the same shape in this "
                + "JVM (ABBA order); per pair of blocks the ratio of the two block medians is one sample of the speedup, and its "
                + "quartiles are what the tables give, since the machine's speed drifts between seconds. The sequential solve is "
                + "paired the same way with its memory floor, a plain Java pass over the same bytes on all cores or on one, whichever is faster "
                + "at that size; a fraction above 100 % means a kernel beat that pass, the bytes staying in cache. `results.json` holds every "
                + "run's time. JMH (`bench/target/benchmarks.jar`) "
                + "gives absolute times with forks and warm-up for one figure at a time.\n");
        return sb.toString();
    }

    private static List<int[]> shapes(List<Figure> fs) {
        List<int[]> out = new ArrayList<>();
        fs.stream().map(f -> f.lanes() + ":" + f.steps()).distinct().forEach(k -> {
            String[] p = k.split(":");
            out.add(new int[] {Integer.parseInt(p[1]), Integer.parseInt(p[0])});
        });
        out.sort(Comparator.<int[]>comparingInt(s -> s[1]).thenComparingInt(s -> s[0]));
        return out;
    }

    private static String cellText(Figure f) {
        String speed = f.hasRatio() ? String.format(Locale.ROOT, "×%.2f [%.2f–%.2f]", f.ratioMedian(), f.ratioQ1(), f.ratioQ3()) : "×1";
        return String.format(Locale.ROOT, "%.2f ns, %s, %.0f %% floor", f.nsPerUnit(), speed, 100 * f.floorFraction());
    }

    /** Where parallel-in-time modes beat sequential, the crossover T per B·D, and AUTO's worst ratio to the best mode. */
    private void reading(StringBuilder sb) {
        for (String b : benchmarked()) {
            for (String cell : BenchRun.CELLS) {
                for (String pass : BenchRun.PASSES) {
                    List<Figure> fs = select(b, "cell", cell, pass);
                    if (fs.isEmpty()) {
                        continue;
                    }
                    sb.append("- **").append(b).append(", ").append(cell).append(' ').append(pass).append("**: ");
                    List<String> wins = new ArrayList<>();
                    for (String m : List.of("newton-in-time", "parallel")) {
                        List<String> at = fs.stream().filter(f -> f.mode().equals(m) && f.hasRatio() && f.ratioQ1() > 1)
                                .map(f -> String.format(Locale.ROOT, "T=%d B·D=%d ×%.2f", f.steps(), f.lanes(), f.ratioMedian())).toList();
                        wins.add(m + " beats sequential " + (at.isEmpty() ? "nowhere in this sweep" : "at " + String.join(", ", at)));
                    }
                    sb.append(String.join("; ", wins)).append(" (first quartile of the paired speedup above 1). Crossover T per B·D "
                            + "(newton-in-time or parallel faster so from there on): ");
                    List<String> cross = new ArrayList<>();
                    for (int bd : lanesOf(fs)) {
                        cross.add("B·D=" + bd + ": " + crossover(fs, bd));
                    }
                    sb.append(String.join(", ", cross)).append(". ");
                    sb.append(autoWorst(fs)).append('\n');
                }
            }
            List<Figure> scans = figures.stream().filter(f -> f.backend().equals(b) && f.kind().equals("scan")).toList();
            if (!scans.isEmpty()) {
                double[] fr = scans.stream().mapToDouble(Figure::floorFraction).sorted().toArray();
                sb.append(String.format(Locale.ROOT, "- **%s, scans**: %.0f %% of the floor at the median shape (%.0f %% to %.0f %%).%n", b,
                        100 * Figure.quantile(fr, 0.5), 100 * fr[0], 100 * fr[fr.length - 1]));
            }
        }
    }

    private static String crossover(List<Figure> fs, int bd) {
        List<Integer> ts = fs.stream().filter(f -> f.lanes() == bd).map(Figure::steps).distinct().sorted().toList();
        Integer from = null;
        for (int i = ts.size() - 1; i >= 0; i--) {
            int t = ts.get(i);
            boolean faster = fs.stream().anyMatch(f -> f.lanes() == bd && f.steps() == t && f.hasRatio() && !f.mode().equals("auto")
                    && f.ratioQ1() > 1);
            if (!faster) {
                break;
            }
            from = t;
        }
        return from == null ? "none up to T=" + ts.get(ts.size() - 1) : "T=" + from;
    }

    /**
     * AUTO's time over the best mode's at each shape, from the paired speedups (each mode against the same sequential
     * solve, so the drift between figures cancels): {@code best speedup / AUTO's speedup}, sequential's being 1.
     */
    private static String autoWorst(List<Figure> fs) {
        double worst = 0;
        String where = null;
        for (Figure a : fs) {
            if (!a.mode().equals("auto") || !a.hasRatio()) {
                continue;
            }
            double best = 1;
            String bestMode = "sequential";
            for (Figure f : fs) {
                if (f.steps() == a.steps() && f.lanes() == a.lanes() && f.hasRatio() && !f.mode().equals("auto")
                        && f.ratioMedian() > best) {
                    best = f.ratioMedian();
                    bestMode = f.mode();
                }
            }
            double r = best / a.ratioMedian();
            if (r > worst) {
                worst = r;
                where = String.format(Locale.ROOT, "T=%d B·D=%d, best there: %s", a.steps(), a.lanes(), bestMode);
            }
        }
        return where == null ? "" : String.format(Locale.ROOT, "AUTO's worst: %.2f× the best mode's time, by paired medians (%s).",
                worst, where);
    }

    private void compared(StringBuilder sb) {
        Compare.Result c = comparison;
        sb.append("\n## Compared with ").append(c.old()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "%d figures in both runs; %d moved (Mann–Whitney over every run's time, |z| > %.2f, and more "
                + "than %.0f %% in median); %d only in the old run, %d only in this one.%n", c.common(), c.moved().size(), Compare.Z,
                100 * Compare.MIN_CHANGE, c.onlyOld().size(), c.onlyNew().size()));
        if (!c.moved().isEmpty()) {
            sb.append("\n| figure | old median ms | new median ms | new / old | z |\n|---|---|---|---|---|\n");
            for (Compare.Moved m : c.moved()) {
                sb.append(String.format(Locale.ROOT, "| `%s` | %.3f | %.3f | %.2f %s | %.1f |%n", m.id(), m.oldMedian(), m.newMedian(),
                        m.ratio(), m.ratio() > 1 ? "(slower)" : "(faster)", m.z()));
            }
        }
        Objects.requireNonNull(c.old());
    }
}
