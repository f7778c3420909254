package org.pararnn.lm.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.pararnn.api.spi.BackendStatus;
import org.pararnn.api.spi.Backends;

/** {@code ./pararnn backends}: what is on the class path, whether it can run here, and why not. */
final class BackendsCommand implements Command {

    @Override
    public String name() {
        return "backends";
    }

    @Override
    public String summary() {
        return "list the compute backends found on the class path, with availability and reasons";
    }

    /** Its usage, declared as the other commands' are (it takes no options). */
    static final CliSpec SPEC = CliSpec.command("backends", "./pararnn backends", """
            Lists every backend found on the class path (ServiceLoader), highest priority first:
            its name, priority, whether it can run here, and the device it would use or the
            reason it cannot. The last line says which one a run would pick.

            Force a choice with -Dpararnn.backend=NAME (in JAVA_OPTS) or PARARNN_BACKEND=NAME;
            add jars of your own backends with PARARNN_CLASSPATH=path/to/my-backend.jar.""");

    @Override
    public CliSpec spec() {
        return SPEC;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty()) {
            err.println("backends takes no arguments, got " + args + "; see ./pararnn backends --help");
            return 2;
        }
        Backends backends = Backends.fromEnvironment();
        List<BackendStatus> survey = backends.survey();
        out.println(String.format(Locale.ROOT, "%-12s %8s  %-9s  %s", "BACKEND", "PRIORITY", "AVAILABLE", "DEVICE / REASON"));
        for (BackendStatus s : survey) {
            String where = s.available() ? s.probe().device() + details(s.probe().details()) : s.probe().reason();
            String priority = s.priority() == Integer.MIN_VALUE ? "-" : Integer.toString(s.priority());
            out.println(String.format(Locale.ROOT, "%-12s %8s  %-9s  %s", s.name(), priority,
                    s.available() ? "yes" : "no", where));
        }
        String forced = backends.forcedName();
        if (forced != null) {
            boolean ok = survey.stream().anyMatch(s -> s.name().equalsIgnoreCase(forced) && s.available());
            out.println("selected: " + forced + " (forced)" + (ok ? "" : " -- NOT AVAILABLE: a run would fail"));
            return ok ? 0 : 1;
        }
        String pick = survey.stream().filter(BackendStatus::available).map(BackendStatus::name).findFirst().orElse(null);
        out.println(pick == null ? "selected: none -- no backend can run here"
                : "selected: " + pick + " (highest priority available; force with PARARNN_BACKEND=NAME)");
        return pick == null ? 1 : 0;
    }

    private static String details(Map<String, String> details) {
        if (details.isEmpty()) {
            return "";
        }
        return details.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ", " (", ")"));
    }
}
