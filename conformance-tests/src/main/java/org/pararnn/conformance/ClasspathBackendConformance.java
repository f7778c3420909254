package org.pararnn.conformance;

import java.util.ServiceLoader;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.BackendUnavailableException;

/**
 * The suite for the backend named by the JUnit configuration parameter {@code pararnn.conformance.backend}, found on
 * the class path: what {@link ConformanceRunner} launches once per backend, passing the name in its launch request
 * (JUnit also reads the parameter from {@code -Dpararnn.conformance.backend} or {@code junit-platform.properties},
 * for a launch by hand). Nothing is written to the JVM's properties. Not meant to be picked up by a build's test
 * scan (its name does not end in {@code Test}).
 */
@ExtendWith(ClasspathBackendConformance.Chosen.class)
public class ClasspathBackendConformance extends BackendConformanceKit {
    public static final String PROPERTY = "pararnn.conformance.backend";

    /** The backend's name, from the launch's configuration (before the kit starts the backend). */
    private String name;

    @Override
    protected BackendProvider provider() {
        if (name == null) {
            throw new IllegalStateException("give the configuration parameter " + PROPERTY + "=NAME (or -D" + PROPERTY
                    + "=NAME) to choose the backend under test");
        }
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new BackendUnavailableException("no backend named '" + name + "' on the class path");
    }

    /** Hands the launch's {@code pararnn.conformance.backend} to the test instance (one per class) before it starts. */
    static final class Chosen implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            context.getTestInstance().ifPresent(instance -> {
                if (instance instanceof ClasspathBackendConformance c) {
                    c.name = context.getConfigurationParameter(PROPERTY).orElse(null);
                }
            });
        }
    }
}
