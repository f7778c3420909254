package org.pararnn.lm.app;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;

/**
 * The one place where a command's components are opened: Guice wires the solver settings → backend
 * (found by {@code ServiceLoader}; nothing here names one) → solver, plus whatever the command's own
 * module adds ({@link TrainingModule} for a run, {@link CheckpointModule} for a saved model). The
 * session owns the backend: it is created on first use and closed with the session.
 *
 * <pre>{@code
 * try (Session s = Session.open(SolverSettings.of("--backend", name, mode), new CheckpointModule(dir))) {
 *     LoadedModel m = s.get(LoadedModel.class);
 * }
 * }</pre>
 */
public final class Session implements AutoCloseable {
    private final Injector injector;
    private final Opened opened;

    private Session(Injector injector, Opened opened) {
        this.injector = injector;
        this.opened = opened;
    }

    public static Session open(SolverSettings settings, Module... modules) {
        Opened opened = new Opened();
        List<Module> all = new ArrayList<>(List.of(modules));
        all.add(new SolverModule(settings, opened));
        return new Session(Guice.createInjector(all), opened);
    }

    /**
     * A session for one more piece of work (a seed's training run, {@link TrainingModule}) on this session's backend and
     * solver: {@code modules} add to this session's bindings; closing it leaves the backend to this session.
     */
    public Session with(Module... modules) {
        return new Session(injector.createChildInjector(modules), new Opened());
    }

    public <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    public RnnSolver solver() {
        return get(RnnSolver.class);
    }

    /** Closes the backend if it was opened. */
    @Override
    public void close() {
        Backend b = opened.backend;
        opened.backend = null;
        if (b != null) {
            b.close();
        }
    }

    /** What the session opened and must close. */
    private static final class Opened {
        Backend backend;
    }

    /** Backend and solver from the settings. */
    private static final class SolverModule extends AbstractModule {
        private final SolverSettings settings;
        private final Opened opened;

        SolverModule(SolverSettings settings, Opened opened) {
            this.settings = settings;
            this.opened = opened;
        }

        @Override
        protected void configure() {
            bind(SolverSettings.class).toInstance(settings);
        }

        @Provides
        @Singleton
        Backend backend() {
            Backends backends = Backends.fromEnvironment();
            if (settings.backend() != null) {
                backends = backends.forcing(settings.backend(), settings.forcedBy());
            }
            Backend chosen = backends.choose();
            opened.backend = chosen;
            return chosen;
        }

        @Provides
        @Singleton
        RnnSolver solver(Backend backend) {
            return RnnSolver.on(backend).mode(settings.mode());
        }
    }
}
