package org.pararnn.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backends;
import org.pararnn.lm.model.Architecture;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.tasks.KeepNth;

/** The limits the table's runs put on a {@link Trainer}: a deadline, and stopping on token accuracy. */
class TrainerLimitsTest {
    @TempDir
    Path dir;

    private Trainer trainer(int steps, double stopAt) {
        KeepNth task = new KeepNth(8, 2, 4);
        ModelConfig cfg = new ModelConfig(Architecture.CELL, 4, 16, 1, 2, "paragru", 0, 4, 8, 0.9f, 0f, 1);
        LanguageModel model = new LanguageModel(cfg).solver(RnnSolver.on(Backends.fromEnvironment().choose()).mode(Mode.AUTO));
        TrainConfig t = new TrainConfig(steps, 8, 1, 1e-2, 1e-3, 0, 0.9, 0.999, 1e-8, 0, 1, 10, 64, 0, 3);
        AdamW adam = new AdamW(model.parameters(), 0.9, 0.999, 1e-8, 0);
        return new Trainer(model, task, t, adam, dir, new Progress(new PrintStream(new ByteArrayOutputStream()), false, steps),
                stopAt, "limits");
    }

    /** A deadline already past lets one step run, then the run evaluates, saves and says it ran out of time. */
    @Test
    void aPassedDeadlineEndsTheRunAfterOneStep() throws Exception {
        Trainer t = trainer(500, 0).until(System.nanoTime());
        Trainer.Result r = t.run();
        assertEquals(1, r.steps());
        assertTrue(t.ranOutOfTime());
        assertTrue(r.checkpoint() != null, "the run saved at its end");
    }

    /** Without a deadline every step runs, whatever System.nanoTime's origin. */
    @Test
    void withoutADeadlineEveryStepRuns() throws Exception {
        Trainer t = trainer(30, 0);
        assertEquals(30, t.run().steps());
        assertFalse(t.ranOutOfTime());
    }

    /**
     * Keep-nth over 4 symbols at length 8 is learned to 100 % token accuracy well within 500 steps; stopping on it ends
     * the run at an evaluation step, before the last step, and not for lack of time.
     */
    @Test
    void stopsOnTokenAccuracy() throws Exception {
        Trainer t = trainer(500, 0.99).stoppingOnTokenAccuracy();
        Trainer.Result r = t.run();
        assertTrue(r.stepReached() > 0 && r.stepReached() < 500, "reached at " + r.stepReached());
        assertEquals(r.stepReached(), r.steps());
        assertTrue(r.finalEvaluation().accuracy() >= 0.99, "accuracy " + r.finalEvaluation().accuracy());
        assertFalse(t.ranOutOfTime());
    }

    /**
     * A first plan far too small for the time (20 steps for 4 s, the Table 6 case: 262 steps planned where 5,470 fit):
     * filling the time to the deadline keeps training until the deadline, planned again at each evaluation, where the
     * plan alone stops at step 20 with nearly all the time unused.
     */
    @Test
    void aPessimisticPlanIsStretchedToTheDeadline() throws Exception {
        long start = System.nanoTime();
        Trainer t = trainer(20, 0).until(start + 4_000_000_000L).fillingTheTimeToTheDeadline();
        Trainer.Result r = t.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(r.steps() > 200, "trained " + r.steps() + " steps in " + seconds + " s");
        assertTrue(seconds >= 3.0, "the run used its time: " + seconds + " s of 4");
        assertTrue(seconds <= 4.0 + 1.5, "and ended near its deadline (its last evaluation and save after it): " + seconds);
        assertTrue(t.plannedSteps() > 200, "the plan grew: " + t.plannedSteps());
    }
}
