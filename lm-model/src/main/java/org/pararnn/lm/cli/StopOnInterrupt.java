package org.pararnn.lm.cli;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.pararnn.lm.train.Trainer;

/**
 * Ctrl-C (or a plain {@code kill}) during training: the JVM runs this hook while the training thread goes on, so the
 * hook asks the trainer to stop after the step in progress ({@link Trainer#requestStop()}: a checkpoint and the loss
 * plot are written) and waits for the command to report where the run stands and how to continue it. The exit status
 * stays the signal's (130 for SIGINT).
 */
final class StopOnInterrupt implements AutoCloseable {
    /** How long the hook waits for the step in progress, its checkpoint and the report. */
    static final long WAIT_SECONDS = 60;

    private final Thread hook;
    private final CountDownLatch reported = new CountDownLatch(1);

    StopOnInterrupt(Trainer trainer, PrintStream out) {
        hook = new Thread(() -> {
            trainer.requestStop();
            try {
                if (!reported.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    out.println();
                    out.println("interrupted: the step in progress did not end within " + WAIT_SECONDS + " s; the last "
                            + "checkpoint is " + (trainer.lastCheckpoint() == null ? "none" : trainer.lastCheckpoint()));
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pararnn-stop-on-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The command has said where the run stopped: the JVM may end. */
    void reported() {
        reported.countDown();
    }

    /** The run ended on its own: the hook is no longer needed (a no-op once the JVM is shutting down). */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run; it waits for reported()
        }
    }
}
