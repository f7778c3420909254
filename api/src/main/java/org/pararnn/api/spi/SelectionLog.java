package org.pararnn.api.spi;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Where backend selection reports its choice (one INFO line) and what it skipped (one WARN line each). */
public interface SelectionLog {

    void info(String message);

    void warn(String message);

    /**
     * Through {@code java.util.logging}'s logger {@code org.pararnn.backend} (bridged to SLF4J and others as any JUL
     * logger is), each record attributed to {@code Backends.choose} rather than to this adapter. JUL's default format
     * takes two lines per record; {@code -Djava.util.logging.SimpleFormatter.format='%4$s: %5$s%6$s%n'} makes it one,
     * as {@code ./pararnn} does.
     */
    static SelectionLog system() {
        Logger logger = Logger.getLogger(LOGGER);
        return new SelectionLog() {
            @Override
            public void info(String message) {
                logger.logp(Level.INFO, Backends.class.getName(), "choose", message);
            }

            @Override
            public void warn(String message) {
                logger.logp(Level.WARNING, Backends.class.getName(), "choose", message);
            }
        };
    }

    /** The logger's name. */
    String LOGGER = "org.pararnn.backend";
}
