package org.pararnn.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run per directory: a directory holding a run is refused, a live holder is named, a killed one's lock taken over. */
class RunDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void aDirectoryHoldingARunIsRefusedForAFreshRunButContinuedOrReplacedOnRequest() throws Exception {
        Path run = tmp.resolve("run");
        try (RunDirectory d = RunDirectory.claim(run, RunDirectory.Claim.FRESH, "test")) {
            assertEquals(run, d.path());
        }
        assertTrue(RunDirectory.describeRun(run).isEmpty(), "an empty directory (its lock file aside) holds no run");
        try (RunDirectory d = RunDirectory.claim(run, RunDirectory.Claim.FRESH, "test")) {
            Files.writeString(run.resolve("metrics.jsonl"), "{}\n");
            Files.createDirectories(run.resolve("checkpoints/step-0000001"));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunDirectory.claim(run, RunDirectory.Claim.FRESH, "test"));
        assertTrue(e.getMessage().contains("already holds a run (metrics.jsonl, checkpoints)")
                && e.getMessage().contains("--resume " + run) && e.getMessage().contains("--overwrite"), e.getMessage());
        try (RunDirectory d = RunDirectory.claim(run, RunDirectory.Claim.CONTINUE, "test")) {
            assertTrue(Files.exists(run.resolve("metrics.jsonl")), "continuing keeps the run");
        }
        try (RunDirectory d = RunDirectory.claim(run, RunDirectory.Claim.REPLACE, "test")) {
            assertFalse(Files.exists(run.resolve("metrics.jsonl")));
            assertFalse(Files.exists(run.resolve("checkpoints")));
        }
        Files.writeString(tmp.resolve("file"), "x");
        assertThrows(IllegalArgumentException.class, () -> RunDirectory.claim(tmp.resolve("file"), RunDirectory.Claim.FRESH, "t"));
    }

    @Test
    void twoRunsInOneProcessNeverShareADirectory() throws Exception {
        Path run = tmp.resolve("run");
        try (RunDirectory first = RunDirectory.claim(run, RunDirectory.Claim.FRESH, "first run")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RunDirectory.claim(run, RunDirectory.Claim.CONTINUE, "second run"));
            assertTrue(e.getMessage().contains("in use by another run (pid " + ProcessHandle.current().pid())
                    && e.getMessage().contains("first run"), e.getMessage());
        }
        try (RunDirectory again = RunDirectory.claim(run, RunDirectory.Claim.CONTINUE, "after")) {
            assertTrue(again.takenOver().isEmpty(), "a lock released by its run is not stale");
        }
    }

    /** Another process holds the lock: refused naming its pid; once that process is killed (-9), the lock is taken over. */
    @Test
    void anotherProcessIsNamedAndItsLockTakenOverOnceItIsKilled() throws Exception {
        Path run = tmp.resolve("run");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process holder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", cp,
                LockHolder.class.getName(), run.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("holding", lines.readLine(), "the holder claimed the directory");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RunDirectory.claim(run, RunDirectory.Claim.CONTINUE, "test"));
            assertTrue(e.getMessage().contains("in use by another run (pid " + holder.pid() + " ")
                    && e.getMessage().contains("lock holder"), e.getMessage());
        } finally {
            holder.destroyForcibly();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.readString(run.resolve(RunDirectory.LOCK)).startsWith("pid " + holder.pid()),
                "a killed run leaves its lock file naming it");
        try (RunDirectory d = RunDirectory.claim(run, RunDirectory.Claim.CONTINUE, "test")) {
            String line = d.takenOver().orElseThrow();
            assertTrue(line.contains("pid " + holder.pid()) && line.contains("no longer running"), line);
            assertTrue(Files.readString(run.resolve(RunDirectory.LOCK)).startsWith("pid " + ProcessHandle.current().pid()));
        }
        assertEquals("", Files.readString(run.resolve(RunDirectory.LOCK)), "a run that ends leaves the lock file empty");
    }

    /** A separate JVM that claims a directory and waits to be killed. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            RunDirectory d = RunDirectory.claim(Path.of(args[0]), RunDirectory.Claim.FRESH, "lock holder");
            System.out.println("holding");
            System.out.flush();
            Thread.sleep(600_000);
            d.close();
        }
    }
}
