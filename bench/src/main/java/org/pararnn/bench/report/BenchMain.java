package org.pararnn.bench.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pararnn.api.spi.BackendStatus;
import org.pararnn.api.spi.Backends;

/**
 * {@code ./pararnn bench}: measures every available backend side by side and writes {@code report.md},
 * {@code results.json} and PNG plots (see {@link BenchRun} for what is measured, {@link Report} for what is written,
 * {@link Compare} for {@code --compare}).
 */
public final class BenchMain {
    private BenchMain() {
    }

    static final String USAGE = """
            Usage: ./pararnn bench [--quick] [--backends cpu,opencl,cuda] [--out DIR] [--compare OLD_DIR] [--shapes T:BD,...]
                                   [--warmup-ms N]

            Measures each backend side by side: the scan per Jacobian structure (forward, reverse), ParaGRU and
            ParaLSTM forward and forward+backward in each mode (sequential, Newton in time, generic parallel,
            AUTO) over shapes T x B*D, one language-model training step and generation. Every mode is timed in
            blocks alternating with the sequential solve (its paired speedup, with quartiles) and the sequential
            solve with a plain pass over the same bytes (the memory floor). Writes DIR/report.md (tables and a
            short reading), DIR/results.json (every run's time) and DIR/*.png. --compare marks every figure that
            moved by more than its measured noise against an earlier run's DIR.
              --quick      about 3 minutes on 2 cores (default sweep: about 11) with cpu and opencl
              --backends   which backends (default: every available one except the testing backends
                           reference and cuda-emulated); unavailable ones are listed with their probe's reason
              --out        where to write (default: bench-report)
              --shapes     the sweep's shapes instead of the built-in ones, e.g. 256:8,2048:512
              --warmup-ms  JIT warm-up for each code path's first figure (default 1000; fused kernels
                           compiled meanwhile are timed slow)
            """;

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        try {
            return bench(args, out);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("error: could not write the report: " + e.getMessage());
            return 1;
        }
    }

    private static int bench(List<String> args, PrintStream out) throws IOException {
        boolean quick = false;
        String backendList = null;
        Path dir = Path.of("bench-report");
        Path compareDir = null;
        String shapes = null;
        Integer warmup = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--quick" -> quick = true;
                case "--backends" -> backendList = value(args, ++i, a);
                case "--out" -> dir = Path.of(value(args, ++i, a));
                case "--compare" -> compareDir = Path.of(value(args, ++i, a));
                case "--shapes" -> shapes = value(args, ++i, a);
                case "--warmup-ms" -> {
                    String v = value(args, ++i, a);
                    try {
                        warmup = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("bench: --warmup-ms needs a whole number of milliseconds, got '" + v + "'");
                    }
                }
                default -> throw new IllegalArgumentException("bench: unknown argument '" + a + "'; see ./pararnn bench --help");
            }
        }
        Sweep sweep = quick ? Sweep.quickSweep() : Sweep.fullSweep();
        if (shapes != null) {
            sweep = sweep.withShapes(shapes);
        }
        if (warmup != null) {
            sweep = sweep.withWarmup(warmup);
        }
        List<Figure> older = compareDir == null ? null : Compare.load(compareDir);
        List<BackendStatus> survey = Backends.fromEnvironment().survey();
        List<String> requested = backendList == null ? null : Arrays.stream(backendList.split(",")).map(String::trim).toList();
        if (requested != null) {
            for (String r : requested) {
                if (survey.stream().noneMatch(s -> s.name().equals(r))) {
                    throw new IllegalArgumentException("bench: no backend '" + r + "' on the class path; found "
                            + survey.stream().map(BackendStatus::name).toList());
                }
            }
        }
        List<Report.BackendLine> lines = new ArrayList<>();
        List<String> runs = new ArrayList<>();
        for (BackendStatus s : survey) {
            boolean wanted = requested == null ? s.priority() > 0 : requested.contains(s.name());
            boolean run = wanted && s.available();
            String text = s.available() ? s.probe().device() : s.probe().reason();
            if (s.available() && !wanted) {
                text = (requested == null ? "a testing backend, not benchmarked unless named in --backends" : "not in --backends")
                        + "; " + text;
            }
            lines.add(new Report.BackendLine(s.name(), s.available(), run, text));
            if (run) {
                runs.add(s.name());
            } else if (wanted) {
                out.println("skipped " + s.name() + ": " + s.probe().reason());
            }
        }
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("bench: no backend to measure (" + lines.stream().map(l -> l.name() + ": " + l.text()).toList() + ")");
        }
        Files.createDirectories(dir);
        out.printf(Locale.ROOT, "bench: %s sweep on %s; %d shapes (T:B·D %s); writing %s%n", quick ? "quick" : "full",
                String.join(", ", runs), sweep.shapes().size(),
                String.join(" ", sweep.shapes().stream().map(s -> s[0] + ":" + s[1]).toList()), dir.toAbsolutePath());
        long started = System.nanoTime();
        BenchRun run = new BenchRun(sweep, out);
        run.expect(runs.size());
        for (String b : runs) {
            run.run(b);
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        meta.put("command", "./pararnn bench " + String.join(" ", args));
        meta.put("machine", System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " processors, JVM heap limit "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        meta.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        meta.put("effort", (quick ? "quick" : "full") + ": up to " + sweep.pairs() + " pairs of blocks of up to " + sweep.per()
                + " runs per figure, fewer where runs are slow (about " + sweep.secondsPerFigure() + " s a figure; each figure's "
                + "samples in results.json), " + sweep.modelRuns() + " runs per model figure");
        meta.put("quick", quick);
        double minutes = (System.nanoTime() - started) / 60e9;
        meta.put("minutes", Math.round(minutes * 10) / 10.0);
        Compare.Result comparison = older == null ? null : Compare.compare(compareDir, older, run.figures);
        new Report(dir, meta, lines, run.figures, run.absent, comparison).write();
        out.println("bench: wrote " + dir.resolve("report.md") + ", results.json" + (Report.canDraw() ? " and the plots"
                : " (no plots: this runtime has no java.desktop module)"));
        out.printf(Locale.ROOT, "bench: measured for %.1f minutes%n", minutes);
        if (comparison != null) {
            out.printf(Locale.ROOT, "compared with %s: %d of %d common figures moved beyond their noise%n", compareDir,
                    comparison.moved().size(), comparison.common());
            for (Compare.Moved m : comparison.moved()) {
                out.printf(Locale.ROOT, "  %s: %.3f -> %.3f ms (x%.2f)%n", m.id(), m.oldMedian(), m.newMedian(), m.ratio());
            }
        }
        return 0;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException("bench: " + option + " needs a value");
        }
        return args.get(i);
    }
}
