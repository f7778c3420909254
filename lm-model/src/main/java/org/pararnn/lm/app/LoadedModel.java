package org.pararnn.lm.app;

import java.nio.file.Path;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.train.Checkpoint;

/** A model rebuilt from a checkpoint with its data source, solving on the session's solver ({@link CheckpointModule}). */
public record LoadedModel(Path checkpoint, Checkpoint.State state, LanguageModel model, BatchSource source) {
}
