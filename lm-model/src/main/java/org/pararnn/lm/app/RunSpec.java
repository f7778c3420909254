package org.pararnn.lm.app;

import java.io.PrintStream;
import java.nio.file.Path;
import org.pararnn.api.Mode;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.train.Checkpoint;
import org.pararnn.lm.train.RunDirectory;
import org.pararnn.lm.train.TrainConfig;

/**
 * Everything a training run is made from, resolved from the command line (or a checkpoint): the input
 * of {@link TrainingModule}.
 *
 * @param backend        the backend to force, or null for the usual selection (property, env, priority)
 * @param resume         the checkpoint to continue from, or null for a fresh run
 * @param resumeState    its state, or null
 * @param stopAtAccuracy stop once held-out exact match reaches this (0: run all steps)
 * @param shards         replicas side by side in this process ({@code org.pararnn.lm.train.Shards}); 0: the
 *                       checkpoint's count when resuming, else one per thread where the backend can divide itself
 * @param claim          how the run takes {@code runDir} (fresh, continuing the run in it, replacing it)
 */
public record RunSpec(String backend, Mode mode, ModelConfig model, TrainConfig train, BatchSource source, Path runDir,
                      Path resume, Checkpoint.State resumeState, double stopAtAccuracy, String title,
                      PrintStream out, boolean terminal, int shards, RunDirectory.Claim claim) {
}
