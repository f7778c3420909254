package org.pararnn.api.spi;

/** A backend that was asked for but cannot run here; the message carries the probe's reason. */
public class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
