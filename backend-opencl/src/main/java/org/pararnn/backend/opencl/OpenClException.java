package org.pararnn.backend.opencl;

/** A kernel could not be built or run on the chosen OpenCL device; the message says which and why. */
public final class OpenClException extends RuntimeException {
    OpenClException(String message) {
        super(message);
    }

    OpenClException(String message, Throwable cause) {
        super(message, cause);
    }
}
