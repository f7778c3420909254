package org.pararnn.api.spi;

import java.lang.System.Logger.Level;

/** Where backend selection reports its choice (one INFO line) and what it skipped (one WARN line each). */
public interface SelectionLog {

    void info(String message);

    void warn(String message);

    /** Through {@link System.Logger} {@code org.pararnn.backend}, so any logging framework can take it. */
    static SelectionLog system() {
        System.Logger logger = System.getLogger("org.pararnn.backend");
        return new SelectionLog() {
            @Override
            public void info(String message) {
                logger.log(Level.INFO, message);
            }

            @Override
            public void warn(String message) {
                logger.log(Level.WARNING, message);
            }
        };
    }
}
