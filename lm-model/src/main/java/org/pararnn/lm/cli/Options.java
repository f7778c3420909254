package org.pararnn.lm.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options one command was given, parsed by picocli from the command's declarations ({@link CliSpec}). Every
 * mistake (unknown option, missing value, an option given twice, a value for a switch, a stray argument, a bad
 * number, a value its parser refuses) is a {@link UsageException} of one line naming the option, in the user's terms.
 */
final class Options {
    private static final Pattern VALUE_MISSING = Pattern.compile("Expected parameter for option '--([^']+)'");
    private static final Pattern SWITCH_WITH_VALUE = Pattern.compile("option '--([^']+)' should be specified without '(.*)' parameter");
    private final String command;
    private final CommandLine.ParseResult parsed;

    Options(CliSpec declared, List<String> args) {
        this.command = declared.name();
        CommandLine line = new CommandLine(declared.spec());
        try {
            parsed = line.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(explain(declared, e));
        }
        refuseRepeats(declared, args);
    }

    /**
     * An option given twice is a mistake (which value was meant?). picocli says so for options outside a section; those
     * in a help section (an argument group) it would quietly take twice, so the arguments, parsed, are counted here.
     */
    private void refuseRepeats(CliSpec declared, List<String> args) {
        Set<String> flags = Set.copyOf(declared.flags());
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
            if (!seen.add(name)) {
                throw new UsageException(command + ": option --" + name + " given twice");
            }
            if (eq < 0 && !flags.contains(name)) {
                i++; // its value
            }
        }
    }

    /** picocli's refusal in this project's words (the tests pin them). */
    private String explain(CliSpec declared, CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            if (!first.startsWith("--")) {
                return command + ": unexpected argument '" + first + "'";
            }
            String name = first.substring(2);
            int eq = name.indexOf('=');
            return unknown(command, eq < 0 ? name : name.substring(0, eq), Set.copyOf(declared.names()));
        }
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            return command + ": option " + optionName(m.getMissing().get(0)) + " needs a value";
        }
        if (e instanceof CommandLine.OverwrittenOptionException o) {
            return command + ": option " + optionName(o.getOverwritten()) + " given twice";
        }
        Matcher missing = VALUE_MISSING.matcher(String.valueOf(e.getMessage()));
        if (missing.find()) {
            return command + ": option --" + missing.group(1) + " needs a value";
        }
        Matcher sw = SWITCH_WITH_VALUE.matcher(String.valueOf(e.getMessage()));
        if (sw.find()) {
            return command + ": --" + sw.group(1) + " takes no value (got '" + sw.group(2) + "')";
        }
        return command + ": " + e.getMessage();
    }

    private static String optionName(ArgSpec a) {
        return a instanceof OptionSpec o ? o.longestName() : a.paramLabel();
    }

    /** "unknown option --x; did you mean --y? (accepted: sorted list)". */
    static String unknown(String command, String name, Set<String> accepted) {
        TreeSet<String> sorted = new TreeSet<>(accepted);
        String hint = Suggest.closest(name, sorted).map(s -> "; did you mean --" + s + "?").orElse("");
        return command + ": unknown option --" + name + hint + " (accepted: --" + String.join(", --", sorted) + ")";
    }

    String get(String name) {
        return parsed.matchedOptionValue("--" + name, (String) null);
    }

    String get(String name, String fallback) {
        String v = get(name);
        return v == null ? fallback : v;
    }

    /** Whether the switch {@code --name} was given. */
    boolean flag(String name) {
        return parsed.hasMatchedOption("--" + name);
    }

    String require(String name) {
        String v = get(name);
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
        String v = get(name, fallback);
        try {
            return parser.apply(v);
        } catch (UsageException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage() == null ? command + ": bad --" + name + " '" + v + "'" : e.getMessage());
        }
    }

    int getInt(String name, int fallback) {
        String v = get(name);
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
        String v = get(name);
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
