package org.pararnn.lm.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.api.spi.SignalChaining;
import org.pararnn.cells.linalg.Gemm;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.train.AdamW;
import org.pararnn.lm.train.Checkpoint;
import org.pararnn.lm.train.Progress;
import org.pararnn.lm.train.TrainConfig;
import org.pararnn.lm.train.Trainer;

/**
 * Guice wiring of a run: settings → backend (found by {@code ServiceLoader}; this module never names
 * one) → solver → model (fresh or from the checkpoint) → optimiser → trainer. Tests swap pieces by
 * overriding this module.
 */
public final class TrainingModule extends AbstractModule {
    private final RunSpec spec;

    public TrainingModule(RunSpec spec) {
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
    Backend backend() {
        Backends backends = Backends.fromEnvironment();
        if (spec.backend() != null) {
            backends = backends.forcing(spec.backend(), "--backend " + spec.backend());
        }
        Backend chosen = backends.choose();
        if (System.getProperty("pararnn.blas.inPlace") == null) {
            // OpenBLAS on the arrays in place (Java 22+): ~10-15 % of a training step. Beside the OpenCL backend
            // only with signal chaining: without it the OpenCL module's 8-thread check died in 3 of ~21 runs
            // with products in place (PoCL's LLVM had replaced the JVM's signal handlers), with it in 0 of 30.
            Gemm.setInPlaceAllowed(!chosen.name().equals("opencl")
                    || SignalChaining.state() == SignalChaining.State.LOADED);
        }
        return chosen;
    }

    @Provides
    @Singleton
    RnnSolver solver(Backend backend) {
        return RnnSolver.on(backend).mode(spec.mode());
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
        AdamW adam = new AdamW(model.parameters(), t.beta1(), t.beta2(), t.eps(), t.weightDecay());
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
        Progress progress = new Progress(spec.out(), spec.terminal(), t.steps());
        Trainer trainer = new Trainer(model, source, t, adam, spec.runDir(), progress, spec.stopAtAccuracy(), spec.title());
        if (spec.resumeState() != null) {
            trainer.resumeFrom(spec.resumeState(), spec.resume());
        }
        return trainer;
    }
}
