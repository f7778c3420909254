package org.pararnn.conformance;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.pararnn.api.spi.BackendStatus;
import org.pararnn.api.spi.Backends;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs the conformance suite for every backend on the class path (or one) and prints a table
 * backend × check → passed / failed / skipped with the worst measured error; failures are listed with
 * their messages. A backend that says it is available and then fails a check makes the run fail.
 */
public final class ConformanceRunner {

    /** Outcome counts and the worst published error of one check on one backend. */
    static final class Row {
        int passed;
        int failed;
        int skipped;
        double worst = -1;
        String skipReason;
    }

    /** Returns the process exit code: 0 when nothing failed. */
    public static int run(String onlyBackend, boolean verbose, PrintStream out) {
        List<String> names = new ArrayList<>();
        for (BackendStatus s : Backends.fromEnvironment().survey()) {
            if (s.provider() != null && (onlyBackend == null || s.name().equalsIgnoreCase(onlyBackend))) {
                names.add(s.name());
            }
        }
        if (names.isEmpty()) {
            out.println("no backend " + (onlyBackend == null ? "" : "named '" + onlyBackend + "' ") + "on the class path");
            return 1;
        }
        out.println(String.format(Locale.ROOT, "%-10s %-58s %-22s %s", "BACKEND", "CHECK", "RESULT", "WORST ERROR"));
        boolean anyFailure = false;
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            Map<String, Row> rows = runOne(name, failures, verbose ? out : null);
            for (Map.Entry<String, Row> e : rows.entrySet()) {
                Row r = e.getValue();
                String result;
                if (r.failed > 0) {
                    result = "FAIL " + r.failed + "/" + (r.passed + r.failed);
                    anyFailure = true;
                } else if (r.passed > 0) {
                    result = "pass " + r.passed + (r.skipped > 0 ? " (" + r.skipped + " skipped)" : "");
                } else {
                    result = "skipped";
                }
                String err = r.worst < 0 ? "" : String.format(Locale.ROOT, "%.2e", r.worst);
                if (r.skipReason != null && r.passed == 0 && r.failed == 0) {
                    err = r.skipReason;
                }
                out.println(String.format(Locale.ROOT, "%-10s %-58s %-22s %s", name, e.getKey(), result, err));
            }
        }
        for (String f : failures) {
            out.println("FAILED " + f);
        }
        out.println(anyFailure ? "conformance: FAILED" : "conformance: all available backends passed");
        return anyFailure ? 1 : 0;
    }

    private static Map<String, Row> runOne(String backend, List<String> failures, PrintStream verbose) {
        Map<String, Row> rows = new LinkedHashMap<>();
        // The backend goes in the launch request, not in a system property another launch could see.
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(ClasspathBackendConformance.class))
                .configurationParameter(ClasspathBackendConformance.PROPERTY, backend).build();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) {
                    if (result.getStatus() == TestExecutionResult.Status.ABORTED && id.getSource().isPresent()
                            && id.getSource().get() instanceof org.junit.platform.engine.support.descriptor.ClassSource cs
                            && cs.getJavaClass() == ClasspathBackendConformance.class) {
                        Row r = rows.computeIfAbsent("(all checks)", k -> new Row());
                        r.skipReason = result.getThrowable().map(Throwable::getMessage).orElse("aborted")
                                .replace("Assumption failed: ", "");
                    }
                    if (result.getStatus() == TestExecutionResult.Status.FAILED) {
                        rows.computeIfAbsent(check(id), k -> new Row()).failed++;
                        failures.add(backend + " " + id.getDisplayName() + ": "
                                + result.getThrowable().map(Throwable::toString).orElse("?"));
                    }
                    return;
                }
                Row r = rows.computeIfAbsent(check(id), k -> new Row());
                switch (result.getStatus()) {
                    case SUCCESSFUL -> r.passed++;
                    case ABORTED -> {
                        r.skipped++;
                        r.skipReason = result.getThrowable().map(Throwable::getMessage).orElse("aborted")
                                .replace("Assumption failed: ", "");
                    }
                    case FAILED -> {
                        r.failed++;
                        failures.add(backend + " " + id.getDisplayName() + ": "
                                + result.getThrowable().map(Throwable::getMessage).orElse("?"));
                    }
                }
                if (verbose != null) {
                    verbose.println("  " + backend + " " + result.getStatus() + " " + id.getDisplayName());
                }
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                rows.computeIfAbsent(check(id), k -> new Row()).skipped++;
            }

            @Override
            public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
                Row r = rows.computeIfAbsent(check(id), k -> new Row());
                for (Map.Entry<String, String> e : entry.getKeyValuePairs().entrySet()) {
                    if (e.getKey().startsWith("error")) {
                        try {
                            r.worst = Math.max(r.worst, Double.parseDouble(e.getValue()));
                        } catch (NumberFormatException ignored) {
                            // not a number: nothing to aggregate
                        }
                    }
                }
            }
        });
        return rows;
    }

    /** The check a test belongs to: its nested group and method, without parameters. */
    private static String check(TestIdentifier id) {
        if (id.getSource().isPresent() && id.getSource().get() instanceof MethodSource ms) {
            String group = ms.getClassName();
            int dollar = group.lastIndexOf('$');
            group = dollar >= 0 ? group.substring(dollar + 1).toLowerCase(Locale.ROOT) : "suite";
            return group + ": " + ms.getMethodName();
        }
        return id.getDisplayName();
    }

    private ConformanceRunner() {
    }
}
