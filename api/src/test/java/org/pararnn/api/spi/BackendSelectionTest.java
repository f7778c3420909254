package org.pararnn.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/design.md §4 selection rules: property over env over priority; loud failures; one line per decision. */
class BackendSelectionTest {
    final List<BackendProvider> providers = List.of(
            StubProviders.available("cpu", 100),
            StubProviders.unavailable("cuda", 300, "no libcuda.so.1"),
            StubProviders.available("opencl", 50),
            StubProviders.available("reference", 0));

    @Test
    void highestAvailablePriorityWinsAndSkippedOnesAreWarned() {
        StubProviders.Log log = new StubProviders.Log();
        Backend b = Backends.of(providers, null, null, log).choose();
        assertEquals("cpu", b.name());
        assertEquals(List.of("Using backend 'cpu' (priority 100) on stub device of cpu"), log.infos);
        assertEquals(List.of("Skipping backend 'cuda': no libcuda.so.1"), log.warns);
    }

    /** Falling back to the reference backend is a warning that names the jar to add, not an INFO line. */
    @Test
    void fallingBackToTheReferenceBackendIsAWarningNamingTheJarToAdd() {
        StubProviders.Log log = new StubProviders.Log();
        Backend b = Backends.of(List.of(StubProviders.unavailable("cuda", 300, "no libcuda.so.1"),
                StubProviders.available("reference", 0)), null, null, log).choose();
        assertEquals("reference", b.name());
        assertEquals(List.of(), log.infos);
        assertEquals(2, log.warns.size(), log.warns.toString());
        assertTrue(log.warns.get(1).startsWith("Using backend 'reference' on stub device of reference: no faster backend")
                && log.warns.get(1).contains("org.pararnn:backend-cpu"), log.warns.get(1));
        StubProviders.Log forced = new StubProviders.Log();
        Backends.of(List.of(StubProviders.available("reference", 0)), "reference", null, forced).choose();
        assertEquals(List.of(), forced.warns, "chosen on purpose: no warning");
    }

    /**
     * A setting a backend cannot use is the user's mistake: choosing fails naming the backend and the setting instead
     * of running on the next backend; the survey ({@code ./pararnn backends}) lists it as the reason.
     */
    @Test
    void aSettingABackendCannotUseFailsTheChoiceInsteadOfFallingThrough() {
        BackendProvider picky = new BackendProvider() {
            @Override
            public String name() {
                return "cpu";
            }

            @Override
            public int priority() {
                return 100;
            }

            @Override
            public Probe probe(BackendOptions options) {
                options.get(BackendOptions.Key.whole("pararnn.cpu.threads", null, null, 1));
                return Probe.available("ok", java.util.Map.of());
            }
        };
        java.util.Properties p = new java.util.Properties();
        p.setProperty("pararnn.cpu.threads", "x");
        StubProviders.Log log = new StubProviders.Log();
        Backends found = Backends.of(List.of(picky, StubProviders.available("opencl", 50)), null, null, log)
                .withOptions(BackendOptions.from(p, java.util.Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, found::choose);
        assertEquals("backend 'cpu': -Dpararnn.cpu.threads='x' is not a whole number ≥ 1 (fix or remove the setting)",
                e.getMessage());
        assertEquals(List.of(), log.infos, "nothing chosen");
        assertEquals("-Dpararnn.cpu.threads='x' is not a whole number ≥ 1", found.survey().get(0).probe().reason());
    }

    /** Records carry the logger's name and Backends.choose as their source, not an adapter's inner class. */
    @Test
    void theSystemLogAttributesRecordsToTheSelection() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(SelectionLog.LOGGER);
        List<java.util.logging.LogRecord> records = new java.util.ArrayList<>();
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(h);
        try {
            Backends.of(providers, null, null, SelectionLog.system()).choose();
        } finally {
            logger.removeHandler(h);
        }
        assertEquals(2, records.size());
        for (java.util.logging.LogRecord r : records) {
            assertEquals("org.pararnn.backend", r.getLoggerName());
            assertEquals(Backends.class.getName(), r.getSourceClassName());
            assertEquals("choose", r.getSourceMethodName());
        }
    }

    /** A provider whose priority is an estimate until probed; counts its probes. */
    static final class Estimating implements BackendProvider {
        final BackendProvider real;
        final int estimate;
        int probes;

        Estimating(BackendProvider real, int estimate) {
            this.real = real;
            this.estimate = estimate;
        }

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public int priority() {
            return probes == 0 ? estimate : real.priority();
        }

        @Override
        public Probe probe() {
            probes++;
            return real.probe();
        }

        @Override
        public Backend create() {
            return real.create();
        }
    }

    @Test
    void lowerRankedBackendsAreNeverProbedAndAPriorityThatDropsOnProbingIsRankedAgain() {
        Estimating low = new Estimating(StubProviders.available("opencl", 50), 50);
        Backend b = Backends.of(List.of(StubProviders.available("cpu", 100), low), null, null,
                new StubProviders.Log()).choose();
        assertEquals("cpu", b.name());
        assertEquals(0, low.probes, "a backend ranked below the chosen one must not be probed");
        // Estimated 200 (maybe a GPU), 50 once probed (a CPU device): the CPU backend must still win.
        Estimating dropping = new Estimating(StubProviders.available("opencl", 50), 200);
        StubProviders.Log log = new StubProviders.Log();
        b = Backends.of(List.of(StubProviders.available("cpu", 100), dropping), null, null, log).choose();
        assertEquals("cpu", b.name());
        assertEquals(1, dropping.probes);
        assertEquals(List.of(), log.warns);
    }

    @Test
    void forcingABackendProbesNoOther() {
        Estimating other = new Estimating(StubProviders.available("opencl", 50), 200);
        Backend b = Backends.of(List.of(StubProviders.available("cpu", 100), other), "cpu", null,
                new StubProviders.Log()).choose();
        assertEquals("cpu", b.name());
        assertEquals(0, other.probes, "forcing 'cpu' must not probe (and so load) 'opencl'");
    }

    @Test
    void environmentVariableForcesABackend() {
        StubProviders.Log log = new StubProviders.Log();
        Backend b = Backends.of(providers, null, "OpenCL", log).choose();
        assertEquals("opencl", b.name());
        assertEquals(List.of("Using backend 'opencl' (forced by PARARNN_BACKEND=OpenCL) on stub device of opencl"), log.infos);
    }

    @Test
    void systemPropertyBeatsTheEnvironment() {
        StubProviders.Log log = new StubProviders.Log();
        Backend b = Backends.of(providers, "reference", "opencl", log).choose();
        assertEquals("reference", b.name());
        assertTrue(log.infos.get(0).contains("forced by -Dpararnn.backend=reference"), log.infos.toString());
    }

    @Test
    void forcedUnavailableBackendFailsWithItsReason() {
        var e = assertThrows(BackendUnavailableException.class,
                () -> Backends.of(providers, "cuda", null, new StubProviders.Log()).choose());
        assertEquals("backend 'cuda' was forced by -Dpararnn.backend=cuda but is unavailable: no libcuda.so.1",
                e.getMessage());
    }

    @Test
    void forcedUnknownBackendListsWhatWasFound() {
        var e = assertThrows(BackendUnavailableException.class,
                () -> Backends.of(providers, null, "tpu", new StubProviders.Log()).choose());
        assertEquals("PARARNN_BACKEND=tpu names no backend on the class path; found: cuda, cpu, opencl, reference",
                e.getMessage());
    }

    @Test
    void aBackendThatFailsToStartIsSkippedWithTheReasonOrFailsWhenForced() {
        List<BackendProvider> list = List.of(StubProviders.failsToStart("flaky", 500), StubProviders.available("cpu", 100));
        StubProviders.Log log = new StubProviders.Log();
        assertEquals("cpu", Backends.of(list, null, null, log).choose().name());
        assertEquals(List.of("Skipping backend 'flaky': probe said available but it failed to start: device lost during init"),
                log.warns);
        var e = assertThrows(BackendUnavailableException.class,
                () -> Backends.of(list, "flaky", null, new StubProviders.Log()).choose());
        assertTrue(e.getMessage().endsWith("failed to start: device lost during init"), e.getMessage());
    }

    @Test
    void noUsableBackendIsAnErrorListingReasons() {
        var e = assertThrows(BackendUnavailableException.class, () -> Backends.of(
                List.of(StubProviders.unavailable("cuda", 300, "no libcuda.so.1")), null, null, new StubProviders.Log()).choose());
        assertTrue(e.getMessage().contains("cuda: no libcuda.so.1"), e.getMessage());
    }

    @Test
    void serviceLoaderFindsTheBuiltInReferenceBackendAndRegisteredProviders() {
        List<BackendStatus> survey = Backends.fromEnvironment().survey();
        BackendStatus reference = survey.stream().filter(s -> s.name().equals("reference")).findFirst().orElseThrow();
        assertTrue(reference.available());
        BackendStatus test = survey.stream().filter(s -> s.name().equals("test-unavailable")).findFirst().orElseThrow();
        assertEquals("test provider: never available", test.probe().reason());
        StubProviders.Log log = new StubProviders.Log();
        Backend chosen = Backends.of(survey.stream().map(BackendStatus::provider).toList(), null, null, log).choose();
        assertEquals("reference", chosen.name());
        assertEquals("Skipping backend 'test-unavailable': test provider: never available", log.warns.get(0));
        assertTrue(log.warns.get(1).startsWith("Using backend 'reference'"), log.warns.toString());
        assertEquals(2, log.warns.size(), log.warns.toString());
    }
}
