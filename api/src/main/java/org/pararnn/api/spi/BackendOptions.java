package org.pararnn.api.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A backend's settings, fixed when it is made ({@link BackendProvider#create(BackendOptions)}): threads, fused
 * strategy, BLAS, device choice. Immutable; each backend declares the {@link Key}s it reads (their names, types
 * and defaults) and reads them once, at creation (docs/design.md §4, "Backend options").
 *
 * <p>Values are held as text under the key's name ({@code pararnn.cpu.threads}) and parsed by the key, so a
 * value a backend cannot use is an error naming where it came from: {@code -Dpararnn.cpu.threads='x' is not a
 * whole number ≥ 1}. {@link #fromSystem()} is the one place the JVM's system properties ({@code pararnn.*})
 * and environment ({@code PARARNN_*}) are read; programs that make backends for a purpose (a benchmark putting
 * two strategies side by side, a test) start from {@link #defaults()} or from that and set what they need with
 * {@link #with}.
 */
public final class BackendOptions {
    private static final String PREFIX = "pararnn.";
    private static final String ENV_PREFIX = "PARARNN_";
    private static final BackendOptions DEFAULTS = new BackendOptions(Map.of());

    /** The backend to use ({@code -Dpararnn.backend} or {@code PARARNN_BACKEND}); unset: the best one available. */
    public static final Key<String> BACKEND = Key.text("pararnn.backend", "PARARNN_BACKEND");

    /** A value, the text it was given as, and where it came from ("-Dpararnn.cpu.threads", "PARARNN_CUDA_DEVICE"). */
    private record Value(String text, String origin) {
    }

    /** By key name (a property name) or, for values from the environment, by variable name. */
    private final Map<String, Value> values;

    private BackendOptions(Map<String, Value> values) {
        this.values = values;
    }

    /** Every key at its default. */
    public static BackendOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The settings this JVM was started with: every {@code pararnn.*} system property and every
     * {@code PARARNN_*} environment variable, read now. Call it once, at start-up; what a backend is made with
     * never changes after.
     */
    public static BackendOptions fromSystem() {
        return from(System.getProperties(), System.getenv());
    }

    /** As {@link #fromSystem()}, from the given properties and environment (tests). */
    public static BackendOptions from(Properties properties, Map<String, String> environment) {
        Map<String, Value> v = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(PREFIX)) {
                v.put(name, new Value(properties.getProperty(name), "-D" + name));
            }
        }
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (e.getKey().startsWith(ENV_PREFIX)) {
                v.put(e.getKey(), new Value(e.getValue(), e.getKey()));
            }
        }
        return new BackendOptions(Collections.unmodifiableMap(v));
    }

    /** These options with {@code key} set to {@code value} (null: back to its default). */
    public <T> BackendOptions with(Key<T> key, T value) {
        Map<String, Value> v = new TreeMap<>(values);
        if (key.env() != null) {
            v.remove(key.env());
        }
        if (value == null) {
            v.remove(key.name());
        } else {
            v.put(key.name(), new Value(key.format().apply(value), "option " + key.name()));
        }
        return new BackendOptions(Collections.unmodifiableMap(v));
    }

    /**
     * The value of {@code key}: its property name first, then its environment variable, else empty. A blank
     * value counts as unset. Throws {@link IllegalArgumentException} naming the origin when the text does not parse.
     */
    public <T> Optional<T> find(Key<T> key) {
        Value v = values.get(key.name());
        if ((v == null || v.text().isBlank()) && key.env() != null) {
            v = values.get(key.env());
        }
        if (v == null || v.text().isBlank()) {
            return Optional.empty();
        }
        try {
            T parsed = key.parser().apply(v.text().trim());
            if (parsed == null) {
                throw new IllegalArgumentException();
            }
            return Optional.of(parsed);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(v.origin() + "='" + v.text() + "' is not " + key.expects());
        }
    }

    /** The value of {@code key}, or its default. */
    public <T> T get(Key<T> key) {
        return find(key).orElse(key.fallback());
    }

    /** Where {@code key}'s value came from ("-Dpararnn.blas.inPlace", "PARARNN_CUDA_DEVICE", "option ..."), or empty when unset. */
    public Optional<String> origin(Key<?> key) {
        Value v = values.get(key.name());
        if ((v == null || v.text().isBlank()) && key.env() != null) {
            v = values.get(key.env());
        }
        return v == null || v.text().isBlank() ? Optional.empty() : Optional.of(v.origin());
    }

    /** Every value set, by name, as text (for reports). */
    public Map<String, String> asText() {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, v.text()));
        return out;
    }

    @Override
    public String toString() {
        return "BackendOptions" + asText();
    }

    /**
     * One setting: its property name, the environment variable that also sets it (or null), its default
     * (null: the backend decides, e.g. every core), how text becomes a value and back, and what it expects in
     * words for errors.
     */
    public record Key<T>(String name, String env, T fallback, Function<String, T> parser, Function<T, String> format,
                         String expects) {
        public Key {
            if (name == null || !name.startsWith(PREFIX)) {
                throw new IllegalArgumentException("a backend option's name starts with '" + PREFIX + "', got " + name);
            }
            if (env != null && !env.startsWith(ENV_PREFIX)) {
                throw new IllegalArgumentException("a backend option's variable starts with '" + ENV_PREFIX + "', got " + env);
            }
        }

        /** On or off ({@code true} / {@code false}, any case). */
        public static Key<Boolean> flag(String name, boolean fallback) {
            return new Key<>(name, null, fallback, t -> switch (t.toLowerCase(Locale.ROOT)) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> null;
            }, String::valueOf, "true or false");
        }

        /** On, off, or unset (null: the backend decides). */
        public static Key<Boolean> optionalFlag(String name) {
            Key<Boolean> f = flag(name, false);
            return new Key<>(name, null, null, f.parser(), f.format(), f.expects());
        }

        /** A whole number ≥ {@code min}; {@code fallback} may be null (the backend decides). */
        public static Key<Integer> whole(String name, String env, Integer fallback, int min) {
            return new Key<>(name, env, fallback, t -> {
                int n = Integer.parseInt(t);
                return n >= min ? n : null;
            }, String::valueOf, "a whole number ≥ " + min);
        }

        /** A whole number ≥ {@code min}, possibly large. */
        public static Key<Long> wholeLong(String name, long fallback, long min) {
            return new Key<>(name, null, fallback, t -> {
                long n = Long.parseLong(t);
                return n >= min ? n : null;
            }, String::valueOf, "a whole number ≥ " + min);
        }

        /** Free text (a device name, a backend name); unset: null. */
        public static Key<String> text(String name, String env) {
            return new Key<>(name, env, null, t -> t, t -> t, "text");
        }

        /** One of {@code type}'s constants, by name in any case. */
        public static <E extends Enum<E>> Key<E> choice(String name, Class<E> type, E fallback) {
            StringBuilder names = new StringBuilder();
            for (E e : type.getEnumConstants()) {
                names.append(names.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
            }
            return new Key<>(name, null, fallback, t -> {
                for (E e : type.getEnumConstants()) {
                    if (e.name().equalsIgnoreCase(t)) {
                        return e;
                    }
                }
                return null;
            }, e -> e.name().toLowerCase(Locale.ROOT), "one of " + names);
        }
    }
}
