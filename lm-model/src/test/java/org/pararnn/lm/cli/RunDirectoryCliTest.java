package org.pararnn.lm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run directory through the command line: never overwritten by accident, and what Ctrl-C leaves in it. */
class RunDirectoryCliTest {
    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(List<String> args) {
        out.reset();
        err.reset();
        return new Main().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String text() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anExistingRunIsRefusedInOneLineAndReplacedOnlyWithOverwrite() throws Exception {
        Path a = dir.resolve("a");
        List<String> small = TrainingRunTest.args(a);
        assertEquals(0, run(small), this::text);
        String metrics = Files.readString(a.resolve("metrics.jsonl"));
        String latest = Files.readString(a.resolve("checkpoints/latest"));

        List<String> other = new ArrayList<>(small);
        other.set(other.indexOf("--task") + 1, "parity");
        assertEquals(2, run(other), this::text);
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("error: train: --out " + a + " already holds a run (checkpoint at step 8; metrics.jsonl,"
                + " loss.png, checkpoints); give --resume " + a + " to continue it, --overwrite to replace it"), e);
        assertEquals(metrics, Files.readString(a.resolve("metrics.jsonl")), "nothing of the old run is touched");
        assertEquals(latest, Files.readString(a.resolve("checkpoints/latest")));

        List<String> replace = new ArrayList<>(other);
        replace.add("--overwrite");
        assertEquals(0, run(replace), this::text);
        assertTrue(Files.readString(a.resolve("metrics.jsonl")).lines().count() > 0);
        assertEquals(List.of("step-0000004", "step-0000008", "latest"), List.of("step-0000004", "step-0000008", "latest")
                .stream().filter(n -> Files.exists(a.resolve("checkpoints").resolve(n))).toList());
        assertEquals(2, run(List.of("train", "--resume", a.toString(), "--steps", "20", "--overwrite")), this::text);
    }

    /**
     * Ctrl-C (SIGINT to a real process): the step in progress ends, a checkpoint and the loss plot are written, the exact
     * command that continues is printed, the exit status is 130; that command then continues the run.
     */
    @Test
    void ctrlCSavesAndPrintsTheCommandThatContinues() throws Exception {
        Path run = dir.resolve("interrupted");
        List<String> cmd = DataParallelTest.java(List.of("train", "--task", "keep-nth", "--length", "8", "--dim", "16",
                "--heads", "2", "--batch", "8", "--steps", "1000000", "--eval-every", "0", "--until-accuracy", "0",
                "--shards", "1", "--out", run.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // Never hangs the build: a run that does not end within 3 minutes is killed (and the test then fails).
        Thread watchdog = new Thread(() -> {
            try {
                if (!p.waitFor(180, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        StringBuilder seen = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean signalled = false;
            while ((line = lines.readLine()) != null) {
                seen.append(line).append('\n');
                if (!signalled && line.startsWith("step ") && !line.startsWith("step 1/")) {
                    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
                    assertEquals(0, kill.waitFor());
                    signalled = true;
                }
            }
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), seen::toString);
        assertEquals(130, p.exitValue(), seen::toString);
        String log = seen.toString();
        assertTrue(log.contains("interrupted: stopping after step "), log);
        String resume = "continue with: ./pararnn train --resume " + run;
        assertTrue(log.lines().anyMatch(l -> l.equals(resume)), log);
        assertTrue(Files.size(run.resolve("loss.png")) > 1000, "the loss plot is written");
        String latest = Files.readString(run.resolve("checkpoints/latest")).trim();
        int stoppedAt = Integer.parseInt(latest.substring("step-".length()));
        assertTrue(log.contains("interrupted at step " + stoppedAt + " of 1000000"), log);
        assertEquals("", Files.readString(run.resolve("run.lock")), "the directory is released");

        assertEquals(0, run(List.of("train", "--resume", run.toString(), "--steps", Integer.toString(stoppedAt + 3))), this::text);
        assertTrue(text().contains("resuming ") && text().contains("at step " + stoppedAt), text());
    }
}
