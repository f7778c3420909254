package org.pararnn.lm.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code --name value} options and {@code --flag} switches of one command, checked against the names it accepts;
 * every mistake (unknown option, missing value, bad number, a value its parser refuses) is a {@link UsageException}
 * naming the option.
 */
final class Options {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    Options(String command, List<String> args, Set<String> accepted) {
        this(command, args, accepted, Set.of());
    }

    /** {@code flags}: names that take no value ({@code --overwrite}); {@link #flag} tells whether one was given. */
    Options(String command, List<String> args, Set<String> accepted, Set<String> flags) {
        this.command = command;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            // The name first: a mistyped option is reported as such, not as one missing its value.
            if (!accepted.contains(name) && !flags.contains(name)) {
                Set<String> known = new HashSet<>(accepted);
                known.addAll(flags);
                throw new UsageException(unknown(command, name, known));
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException(command + ": --" + name + " takes no value (got '" + value + "')");
                }
                value = "true";
            } else if (value == null) {
                if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                    throw new UsageException(command + ": option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (values.put(name, value) != null) {
                throw new UsageException(command + ": option --" + name + " given twice");
            }
        }
    }

    /** "unknown option --x; did you mean --y? (accepted: sorted list)". */
    static String unknown(String command, String name, Set<String> accepted) {
        TreeSet<String> sorted = new TreeSet<>(accepted);
        String hint = Suggest.closest(name, sorted).map(s -> "; did you mean --" + s + "?").orElse("");
        return command + ": unknown option --" + name + hint + " (accepted: --" + String.join(", --", sorted) + ")";
    }

    String get(String name) {
        return values.get(name);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** Whether the switch {@code --name} was given. */
    boolean flag(String name) {
        return values.containsKey(name);
    }

    String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException(command + ": missing required option --" + name);
        }
        return v;
    }

    Path requirePath(String name) {
        return Path.of(require(name));
    }

    /**
     * The value of {@code --name} (else {@code fallback}) read by {@code parser}; a value the parser refuses with an
     * {@link IllegalArgumentException} is a usage error carrying the parser's message.
     */
    <T> T parse(String name, String fallback, Function<String, T> parser) {
        String v = values.getOrDefault(name, fallback);
        try {
            return parser.apply(v);
        } catch (UsageException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage() == null ? command + ": bad --" + name + " '" + v + "'" : e.getMessage());
        }
    }

    int getInt(String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " needs a whole number, got '" + v + "'");
        }
    }

    double getDouble(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " needs a number, got '" + v + "'");
        }
    }

    /**
     * {@code build} (a configuration made from options, whose constructor checks its values) with a refusal turned into
     * a usage error: the values came from the command line.
     */
    static <T> T asUsage(java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (UsageException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** A usage error of this command. */
    UsageException usage(String message) {
        return new UsageException(command + ": " + message);
    }
}
