package org.pararnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.pararnn.api.spi.ParallelLoop;

/**
 * The pool's {@code forEach} in both forms (the caller taking tasks, and the caller only waiting): every
 * task runs exactly once, on the caller and the pool's threads; nested and concurrent calls finish; a
 * failing task's exception reaches the caller after the other running tasks have stopped. The same for
 * bursts, whose helpers must also take part while it is open and leave the pool's threads free when closed.
 */
class CpuLoopTest {

    @Test
    void everyTaskRunsExactlyOnceAndTheCallerHelps() throws Exception {
        for (boolean callerRuns : new boolean[] {true, false}) {
            try (CpuLoop loop = new CpuLoop(3, callerRuns)) {
                for (int tasks : new int[] {1, 2, 3, 7, 64}) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                    var threads = ConcurrentHashMap.<String>newKeySet();
                    for (int rep = 0; rep < 200; rep++) {
                        loop.forEach(tasks, i -> {
                            runs.incrementAndGet(i);
                            threads.add(Thread.currentThread().getName());
                        });
                    }
                    for (int i = 0; i < tasks; i++) {
                        assertEquals(200, runs.get(i), "callerRuns=" + callerRuns + " tasks=" + tasks + " task " + i);
                    }
                    if (tasks > 1) {
                        assertEquals(callerRuns, threads.contains(Thread.currentThread().getName()),
                                "callerRuns=" + callerRuns + ": threads " + threads);
                    }
                }
            }
        }
    }

    @Test
    void nestedAndConcurrentCallsFinish() throws Exception {
        eightCallersWithNestedCalls(false);
    }

    /** Eight threads at once, each making calls whose tasks call the loop again; with bursts or without. */
    private static void eightCallersWithNestedCalls(boolean inBursts) throws Exception {
        try (CpuLoop loop = new CpuLoop(2, true)) {
            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                Future<?>[] fs = new Future<?>[8];
                AtomicIntegerArray inner = new AtomicIntegerArray(8);
                for (int c = 0; c < 8; c++) {
                    int caller = c;
                    fs[c] = callers.submit(() -> {
                        try (CpuLoop.Burst burst = inBursts ? loop.burst() : null) {
                            ParallelLoop outer = inBursts ? burst : loop;
                            for (int rep = 0; rep < 50; rep++) {
                                outer.forEach(4, i -> loop.forEach(3, j -> inner.incrementAndGet(caller)));
                            }
                        }
                    });
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                for (int c = 0; c < 8; c++) {
                    assertEquals(50 * 4 * 3, inner.get(c), "caller " + c);
                }
            } finally {
                callers.shutdownNow();
            }
        }
    }

    @Test
    void aFailingTaskFailsTheCallAndStopsTheRest() {
        for (boolean callerRuns : new boolean[] {true, false}) {
            try (CpuLoop loop = new CpuLoop(2, callerRuns)) {
                failAtTaskFiveAndGoOn(loop, callerRuns, "callerRuns=" + callerRuns);
            }
        }
    }

    /**
     * Task 5 of 1000 fails: its exception reaches the caller (possibly wrapped), the unclaimed rest is skipped
     * when {@code skips}, and every task of the next call runs once.
     */
    private static void failAtTaskFiveAndGoOn(ParallelLoop loop, boolean skips, String what) {
        IllegalStateException boom = new IllegalStateException("task 5 failed");
        AtomicIntegerArray runs = new AtomicIntegerArray(1000);
        // The other tasks take a millisecond each, as real ones do: the skip is claimed for the ~300 ms the
        // rest would take, not for microsecond tasks that a loaded machine's scheduler could finish before
        // the failing thread gets the core back to record its failure.
        RuntimeException e = assertThrows(RuntimeException.class, () -> loop.forEach(1000, i -> {
            runs.incrementAndGet(i);
            if (i == 5) {
                throw boom;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }));
        Throwable cause = e;
        while (cause != boom && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertSame(boom, cause, what + ": " + e);
        int ran = 0;
        for (int i = 0; i < 1000; i++) {
            ran += runs.get(i);
        }
        if (skips) {
            assertTrue(ran < 1000, what + ": the remaining tasks should be skipped after a failure, ran " + ran);
        }
        AtomicIntegerArray again = new AtomicIntegerArray(64);
        loop.forEach(64, again::incrementAndGet);
        for (int i = 0; i < 64; i++) {
            assertEquals(1, again.get(i), what + ": after the failure, task " + i);
        }
    }

    @Test
    void aBurstRunsEveryTaskOnceWithItsHelpersTakingPart() {
        try (CpuLoop loop = new CpuLoop(3, true); CpuLoop.Burst burst = loop.burst()) {
            for (int tasks : new int[] {1, 2, 3, 7, 64}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                for (int rep = 0; rep < 300; rep++) {
                    burst.forEach(tasks, runs::incrementAndGet);
                }
                for (int i = 0; i < tasks; i++) {
                    assertEquals(300, runs.get(i), "tasks=" + tasks + " task " + i);
                }
            }
            // Two tasks that only finish together: a helper must be running beside the caller.
            for (int rep = 0; rep < 20; rep++) {
                java.util.concurrent.CountDownLatch both = new java.util.concurrent.CountDownLatch(2);
                var names = ConcurrentHashMap.<String>newKeySet();
                burst.forEach(2, i -> {
                    names.add(Thread.currentThread().getName());
                    both.countDown();
                    try {
                        assertTrue(both.await(20, java.util.concurrent.TimeUnit.SECONDS), "no helper took part");
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
                assertEquals(2, names.size(), "threads " + names);
            }
        }
    }

    @Test
    void aFailureInABurstReachesTheCallerAndTheBurstGoesOn() {
        try (CpuLoop loop = new CpuLoop(2, true); CpuLoop.Burst burst = loop.burst()) {
            for (int rep = 0; rep < 50; rep++) {
                failAtTaskFiveAndGoOn(burst, true, "burst, round " + rep);
            }
        }
    }

    @Test
    void closingABurstFreesItsHelpersForTheNextCaller() throws Exception {
        try (CpuLoop loop = new CpuLoop(3, true)) {
            for (int rep = 0; rep < 20; rep++) {
                try (CpuLoop.Burst burst = loop.burst()) {
                    burst.forEach(8, i -> { });
                }
                // Three tasks that only finish together: both pool workers must be free to take part.
                java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(3);
                AtomicIntegerArray met = new AtomicIntegerArray(3);
                loop.forEach(3, i -> {
                    all.countDown();
                    try {
                        if (all.await(20, java.util.concurrent.TimeUnit.SECONDS)) {
                            met.incrementAndGet(i);
                        }
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
                assertEquals(3, met.get(0) + met.get(1) + met.get(2), "a helper of the closed burst kept a worker");
            }
        }
    }

    @Test
    void concurrentBurstsWithNestedCallsFinish() throws Exception {
        eightCallersWithNestedCalls(true);
    }
}
