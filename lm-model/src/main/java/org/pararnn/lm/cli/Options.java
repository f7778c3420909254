package org.pararnn.lm.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} options of one command, checked against the names it accepts; every mistake
 * (unknown option, missing value, bad number) is an {@link IllegalArgumentException} naming the option.
 */
final class Options {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    Options(String command, List<String> args, Set<String> accepted) {
        this.command = command;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException(command + ": unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(command + ": option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (!accepted.contains(name)) {
                throw new IllegalArgumentException(command + ": unknown option --" + name + "; accepted: --"
                        + String.join(", --", accepted));
            }
            if (values.put(name, value) != null) {
                throw new IllegalArgumentException(command + ": option --" + name + " given twice");
            }
        }
    }

    String get(String name) {
        return values.get(name);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException(command + ": missing required option --" + name);
        }
        return v;
    }

    Path requirePath(String name) {
        return Path.of(require(name));
    }

    int getInt(String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + name + " needs a whole number, got '" + v + "'");
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
            throw new IllegalArgumentException(command + ": --" + name + " needs a number, got '" + v + "'");
        }
    }
}
