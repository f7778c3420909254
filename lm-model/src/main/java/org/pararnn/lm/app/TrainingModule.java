package org.pararnn.lm.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.pararnn.api.RnnSolver;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.train.AdamW;
import org.pararnn.lm.train.Checkpoint;
import org.pararnn.lm.train.Progress;
import org.pararnn.lm.train.TrainConfig;
import org.pararnn.lm.train.Trainer;

/**
 * The training run's part of a {@link Session}: run settings → model (fresh or from the checkpoint),
 * solved by the session's solver → optimiser → trainer. Tests swap pieces by overriding this module.
 */
public final class TrainingModule extends AbstractModule {
    private final RunSpec spec;

    private final org.pararnn.lm.dist.Collective world;

    public TrainingModule(RunSpec spec) {
        this(spec, org.pararnn.lm.dist.Collective.SINGLE);
    }

    /** Training as one rank of {@code world} (data parallel; {@link org.pararnn.lm.dist.Collective#SINGLE} alone). */
    public TrainingModule(RunSpec spec, org.pararnn.lm.dist.Collective world) {
        this.world = world;
        this.spec = spec;
    }

    @Override
    protected void configure() {
        bind(RunSpec.class).toInstance(spec);
        bind(ModelConfig.class).toInstance(spec.model());
        bind(TrainConfig.class).toInstance(spec.train());
        bind(BatchSource.class).toInstance(spec.source());
    }

    @Provides
    @Singleton
    LanguageModel model(ModelConfig config, RnnSolver solver, BatchSource source) {
        if (config.vocab() != source.vocab()) {
            throw new IllegalArgumentException("the model has a vocabulary of " + config.vocab()
                    + " but the data has " + source.vocab() + " tokens");
        }
        LanguageModel model = new LanguageModel(config).solver(solver);
        if (spec.resume() != null) {
            try {
                Checkpoint.loadWeights(spec.resume(), model);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load weights from " + spec.resume(), e);
            }
        }
        return model;
    }

    @Provides
    @Singleton
    AdamW optimizer(LanguageModel model, TrainConfig t) {
        AdamW adam = AdamW.of(model.parameters(), t);
        if (spec.resume() != null) {
            try {
                Checkpoint.loadOptimizer(spec.resume(), adam);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load optimiser state from " + spec.resume(), e);
            }
        }
        return adam;
    }

    @Provides
    @Singleton
    Trainer trainer(LanguageModel model, BatchSource source, TrainConfig t, AdamW adam) {
        Progress progress = new Progress(spec.out(), spec.terminal(), t.steps(), world.size());
        Trainer trainer = new Trainer(model, source, t, adam, spec.runDir(), progress, spec.stopAtAccuracy(), spec.title(), world);
        if (spec.resumeState() != null) {
            trainer.resumeFrom(spec.resumeState(), spec.resume());
        }
        return trainer;
    }
}
