package org.pararnn.lm.app;

import org.pararnn.api.Mode;

/**
 * How a command's cells are solved.
 *
 * @param backend  the backend to force, or null for the usual selection (property, environment, priority)
 * @param forcedBy where the forced name came from, for messages ("--backend opencl")
 * @param mode     the solving mode
 */
public record SolverSettings(String backend, String forcedBy, Mode mode) {
    public SolverSettings {
        if (mode == null) {
            throw new IllegalArgumentException("a solving mode is needed");
        }
    }

    /** Settings from a {@code --backend} option (null: not given) and a mode. */
    public static SolverSettings of(String backendOption, Mode mode) {
        return new SolverSettings(backendOption, backendOption == null ? null : "--backend " + backendOption, mode);
    }
}
