package org.pararnn.api.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds backends with {@link ServiceLoader} and picks one (docs/design.md §4).
 *
 * <p>{@code -Dpararnn.backend=NAME} (first) or {@code PARARNN_BACKEND=NAME} forces a backend and fails
 * loudly with its probe's reason when it cannot run. Otherwise the available backend with the highest
 * priority wins; one INFO line names it and one WARN line names each higher-priority backend that was
 * skipped, with the reason. Nothing is ever chosen silently. The backend chosen is made with the
 * {@link BackendOptions} this selection holds ({@link #fromEnvironment()}: the JVM's, read once).
 */
public final class Backends {
    public static final String PROPERTY = "pararnn.backend";
    public static final String ENV = "PARARNN_BACKEND";
    /** Why the reference backend, chosen by priority, is worth a warning, and what to add. */
    static final String REFERENCE_ONLY = "no faster backend is usable on the class path, so everything runs on one thread "
            + "of plain Java (meant for checking, not for training); add org.pararnn:backend-cpu (multithreaded, SIMD, "
            + "OpenBLAS) at runtime, or backend-cuda / backend-opencl for a device, or force this one with -D" + PROPERTY
            + "=reference to silence this";

    private final List<BackendProvider> providers;
    private final List<BackendStatus> broken;
    private final String forcedName;
    private final String forcedBy;
    private final SelectionLog log;
    private final BackendOptions options;

    private Backends(List<BackendProvider> providers, List<BackendStatus> broken, String forcedName,
                     String forcedBy, SelectionLog log, BackendOptions options) {
        this.providers = providers;
        this.broken = broken;
        this.forcedName = forcedName;
        this.forcedBy = forcedBy;
        this.log = log;
        this.options = options;
    }

    /** Providers from the class path; the choice and the backends' options from this JVM's ({@link BackendOptions#fromSystem()}). */
    public static Backends fromEnvironment() {
        return onClassPath(BackendOptions.fromSystem());
    }

    /** Providers from the class path; the choice ({@link BackendOptions#BACKEND}) and the backends' settings from {@code options}. */
    public static Backends onClassPath(BackendOptions options) {
        List<BackendStatus> broken = new ArrayList<>();
        List<BackendProvider> found = discover(Thread.currentThread().getContextClassLoader(), broken);
        return configured(found, broken, options, SelectionLog.system());
    }

    /**
     * An explicit configuration (tests, embedding applications): {@code property} and {@code env} are
     * the values of {@code -Dpararnn.backend} and {@code PARARNN_BACKEND}, either may be null.
     */
    public static Backends of(List<BackendProvider> providers, String property, String env, SelectionLog log) {
        java.util.Properties p = new java.util.Properties();
        if (property != null) {
            p.setProperty(PROPERTY, property);
        }
        return configured(List.copyOf(providers), List.of(),
                BackendOptions.from(p, env == null ? java.util.Map.of() : java.util.Map.of(ENV, env)), log);
    }

    private static Backends configured(List<BackendProvider> providers, List<BackendStatus> broken,
                                       BackendOptions options, SelectionLog log) {
        String name = options.find(BackendOptions.BACKEND).orElse(null);
        String by = name == null ? null : options.origin(BackendOptions.BACKEND).orElseThrow() + "=" + name;
        return new Backends(providers, broken, name, by, log, options);
    }

    /** The same selection, the backend made with {@code other} (its {@link BackendOptions#BACKEND} not consulted). */
    public Backends withOptions(BackendOptions other) {
        return new Backends(providers, broken, forcedName, forcedBy, log, other);
    }

    /** The options the chosen backend is made with. */
    public BackendOptions options() {
        return options;
    }

    /** Selects with the class path and the environment of this JVM. */
    public static Backend select() {
        return fromEnvironment().choose();
    }

    /** Loads every provider it can; a provider that fails to load is recorded with the error as reason. */
    static List<BackendProvider> discover(ClassLoader loader, List<BackendStatus> broken) {
        List<BackendProvider> found = new ArrayList<>();
        Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class, loader).iterator();
        for (int guard = 0; guard < 1000; guard++) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                broken.add(new BackendStatus("<unloadable>", Integer.MIN_VALUE,
                        Probe.unavailable("provider could not be loaded: " + e.getMessage()), null));
            }
        }
        return found;
    }

    /**
     * The same discovery with {@code name} forced by the caller (e.g. a {@code --backend} flag), which
     * beats the property and the environment; {@code source} says where it came from in messages.
     */
    public Backends forcing(String name, String source) {
        if (name == null || name.isBlank()) {
            return this;
        }
        return new Backends(providers, broken, name.trim(), source, log, options);
    }

    /** The name forced by property or environment, or null. */
    public String forcedName() {
        return forcedName;
    }

    /** Every backend found, probed, highest priority first (for {@code ./pararnn backends}). */
    public List<BackendStatus> survey() {
        List<BackendStatus> out = new ArrayList<>();
        for (BackendProvider p : providers) {
            out.add(new BackendStatus(safeName(p), safePriority(p), safeProbe(p, options, false), p));
        }
        out.sort(Comparator.comparingInt(BackendStatus::priority).reversed().thenComparing(BackendStatus::name));
        out.addAll(broken);
        return out;
    }

    /**
     * Picks and creates a backend following the rules in the class comment. Providers are probed in
     * priority order and only until one starts, so a lower-ranked backend's probe (which may load native
     * libraries and print their banners) never runs. A priority may be an estimate before the provider's
     * probe and exact after it; a provider whose priority changes on probing is ranked again.
     */
    public Backend choose() {
        if (forcedName != null) {
            return chooseForced();
        }
        List<BackendProvider> pending = new ArrayList<>(providers);
        java.util.Map<BackendProvider, Probe> probes = new java.util.IdentityHashMap<>();
        List<String> skipped = new ArrayList<>();
        while (!pending.isEmpty()) {
            BackendProvider best = pending.get(0);
            for (BackendProvider p : pending) {
                int c = Integer.compare(safePriority(p), safePriority(best));
                if (c > 0 || (c == 0 && safeName(p).compareTo(safeName(best)) < 0)) {
                    best = p;
                }
            }
            if (!probes.containsKey(best)) {
                int before = safePriority(best);
                probes.put(best, safeProbe(best, options, true));
                if (safePriority(best) != before) {
                    continue;
                }
            }
            pending.remove(best);
            Probe probe = probes.get(best);
            String name = safeName(best);
            if (!probe.available()) {
                log.warn("Skipping backend '" + name + "': " + probe.reason());
                skipped.add(name + ": " + probe.reason());
                continue;
            }
            try {
                Backend backend = best.create(options);
                if (name.equals(org.pararnn.api.reference.ReferenceBackend.NAME)) {
                    // Chosen because nothing faster is here: correct, but one thread of scalar Java. Say so louder
                    // than the usual INFO, with what to add.
                    log.warn("Using backend '" + name + "' on " + backend.device() + ": " + REFERENCE_ONLY);
                } else {
                    log.info("Using backend '" + name + "' (priority " + safePriority(best) + ") on " + backend.device());
                }
                return backend;
            } catch (RuntimeException | LinkageError e) {
                String why = "probe said available but it failed to start: " + describe(e);
                log.warn("Skipping backend '" + name + "': " + why);
                skipped.add(name + ": " + why);
            }
        }
        for (BackendStatus s : broken) {
            log.warn("Skipping backend '" + s.name() + "': " + s.probe().reason());
            skipped.add(s.name() + ": " + s.probe().reason());
        }
        throw new BackendUnavailableException("no usable backend on the class path"
                + (skipped.isEmpty() ? " (none found; is the api jar's reference backend missing?)" : ": " + skipped));
    }

    /** Only the forced provider is probed: another one's probe may load native code and print banners. */
    private Backend chooseForced() {
        String wanted = forcedName.toLowerCase(Locale.ROOT);
        List<BackendProvider> ranked = new ArrayList<>(providers);
        ranked.sort(Comparator.comparingInt(Backends::safePriority).reversed().thenComparing(Backends::safeName));
        List<String> names = new ArrayList<>();
        List<BackendStatus> all = new ArrayList<>();
        for (BackendProvider p : ranked) {
            names.add(safeName(p));
            if (safeName(p).toLowerCase(Locale.ROOT).equals(wanted)) {
                all.add(new BackendStatus(safeName(p), safePriority(p), safeProbe(p, options, true), p));
            }
        }
        for (BackendStatus s : broken) {
            names.add(s.name());
            if (s.name().toLowerCase(Locale.ROOT).equals(wanted)) {
                all.add(s);
            }
        }
        for (BackendStatus s : all) {
            if (!s.available()) {
                throw new BackendUnavailableException("backend '" + s.name() + "' was forced by " + forcedBy
                        + " but is unavailable: " + s.probe().reason());
            }
            try {
                Backend backend = s.provider().create(options);
                log.info("Using backend '" + s.name() + "' (forced by " + forcedBy + ") on " + backend.device());
                return backend;
            } catch (RuntimeException | LinkageError e) {
                throw new BackendUnavailableException("backend '" + s.name() + "' was forced by " + forcedBy
                        + " but failed to start: " + describe(e), e);
            }
        }
        throw new BackendUnavailableException(forcedBy + " names no backend on the class path; found: "
                + (names.isEmpty() ? "none" : String.join(", ", names)));
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    }

    private static String safeName(BackendProvider p) {
        try {
            return p.name();
        } catch (RuntimeException e) {
            return p.getClass().getName();
        }
    }

    private static int safePriority(BackendProvider p) {
        try {
            return p.priority();
        } catch (RuntimeException e) {
            return Integer.MIN_VALUE;
        }
    }

    /**
     * The provider's probe; a probe that throws is an unavailable backend saying why, except for a setting the
     * provider cannot use ({@link IllegalArgumentException} from its options): when choosing ({@code strict}) that is
     * the user's mistake to fix, not a reason to run somewhere else, so it is thrown naming the backend.
     */
    private static Probe safeProbe(BackendProvider p, BackendOptions options, boolean strict) {
        try {
            Probe probe = p.probe(options);
            return probe == null ? Probe.unavailable("probe returned nothing") : probe;
        } catch (IllegalArgumentException e) {
            if (strict) {
                throw new IllegalArgumentException("backend '" + safeName(p) + "': " + describe(e)
                        + " (fix or remove the setting)", e);
            }
            return Probe.unavailable(describe(e));
        } catch (RuntimeException | LinkageError e) {
            return Probe.unavailable("probe failed: " + describe(e));
        }
    }
}
