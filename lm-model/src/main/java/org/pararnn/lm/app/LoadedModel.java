package org.pararnn.lm.app;

import java.io.IOException;
import java.nio.file.Path;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.data.Sources;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.train.Checkpoint;

/** A model rebuilt from a checkpoint with its data source, solving on the chosen backend. */
public record LoadedModel(Path checkpoint, Checkpoint.State state, LanguageModel model, BatchSource source) {

    public static LoadedModel load(Path path, String backendName, Mode mode) throws IOException {
        Path ck = Checkpoint.resolve(path);
        Checkpoint.State st = Checkpoint.readState(ck);
        BatchSource source = Sources.fromDescription(st.data());
        Backends backends = Backends.fromEnvironment();
        if (backendName != null) {
            backends = backends.forcing(backendName, "--backend " + backendName);
        }
        Backend backend = backends.choose();
        LanguageModel model = new LanguageModel(st.model()).solver(RnnSolver.on(backend).mode(mode));
        Checkpoint.loadWeights(ck, model);
        return new LoadedModel(ck, st, model, source);
    }
}
