package org.pararnn.conformance;

import java.util.ServiceLoader;
import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.BackendUnavailableException;

/**
 * The suite for the backend named by {@code -Dpararnn.conformance.backend}, found on the class path:
 * what {@link ConformanceRunner} launches once per backend. Not meant to be picked up by a build's test
 * scan (its name does not end in {@code Test}).
 */
public class ClasspathBackendConformance extends BackendConformanceKit {
    public static final String PROPERTY = "pararnn.conformance.backend";

    @Override
    protected BackendProvider provider() {
        String name = System.getProperty(PROPERTY);
        if (name == null) {
            throw new IllegalStateException("set -D" + PROPERTY + "=NAME to choose the backend under test");
        }
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new BackendUnavailableException("no backend named '" + name + "' on the class path");
    }
}
