package org.pararnn.api.spi;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.reference.ReferenceScan;

/** Providers with scripted probes, to test selection itself (not a stand-in for any real backend). */
final class StubProviders {
    private StubProviders() {
    }

    static BackendProvider available(String name, int priority) {
        return provider(name, priority, Probe.available("stub device of " + name), false);
    }

    static BackendProvider unavailable(String name, int priority, String reason) {
        return provider(name, priority, Probe.unavailable(reason), false);
    }

    /** Probe says yes, {@code create()} fails (a driver that breaks late). */
    static BackendProvider failsToStart(String name, int priority) {
        return provider(name, priority, Probe.available("stub"), true);
    }

    private static BackendProvider provider(String name, int priority, Probe probe, boolean failCreate) {
        return new BackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int priority() {
                return priority;
            }

            @Override
            public Probe probe() {
                return probe;
            }

            @Override
            public Backend create() {
                if (failCreate) {
                    throw new BackendUnavailableException("device lost during init");
                }
                return new Backend() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public String device() {
                        return probe.device();
                    }

                    @Override
                    public LinearScan scan() {
                        return new ReferenceScan();
                    }
                };
            }
        };
    }

    /** Collects log lines. */
    static final class Log implements SelectionLog {
        final List<String> infos = new ArrayList<>();
        final List<String> warns = new ArrayList<>();

        @Override
        public void info(String message) {
            infos.add(message);
        }

        @Override
        public void warn(String message) {
            warns.add(message);
        }
    }
}
