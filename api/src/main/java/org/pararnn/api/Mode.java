package org.pararnn.api;

/** How a recurrence is solved (docs/design.md §4). Every solve reports the mode that actually ran. */
public enum Mode {
    /** Step by step in time: the ground truth, always available. */
    SEQUENTIAL,
    /** Generic Newton over the whole sequence, each iteration a parallel scan of the backend. */
    PARALLEL,
    /** The backend's own whole-Newton kernels for a cell it knows (fails if it has none for the cell). */
    FUSED,
    /** Pick by shape and backend; the report says what was picked and why. */
    AUTO;

    /** Parses a user-given name, case-insensitively, with a message listing the valid ones. */
    public static Mode parse(String name) {
        for (Mode m : values()) {
            if (m.name().equalsIgnoreCase(name.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + name + "'; valid modes: sequential, parallel, fused, auto");
    }
}
