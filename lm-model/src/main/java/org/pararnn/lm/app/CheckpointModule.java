package org.pararnn.lm.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.pararnn.api.RnnSolver;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.data.Sources;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.train.Checkpoint;

/**
 * A saved model's part of a {@link Session} ({@code eval}, {@code generate}): a run or checkpoint
 * directory → its state → data source and model, weights loaded, solved by the session's solver (the
 * backend is opened only once the checkpoint has been read).
 */
public final class CheckpointModule extends AbstractModule {
    private final Path path;

    /** {@code path}: a run directory (its latest checkpoint), a {@code checkpoints} directory or a checkpoint. */
    public CheckpointModule(Path path) {
        this.path = path;
    }

    @Provides
    @Singleton
    LoadedModel loaded(Provider<RnnSolver> solver) {
        try {
            Path ck = Checkpoint.resolve(path);
            Checkpoint.State st = Checkpoint.readState(ck);
            BatchSource source = Sources.fromDescription(st.data());
            LanguageModel model = new LanguageModel(st.model()).solver(solver.get());
            Checkpoint.loadWeights(ck, model);
            return new LoadedModel(ck, st, model, source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
