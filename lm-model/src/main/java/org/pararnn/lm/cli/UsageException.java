package org.pararnn.lm.cli;

/**
 * A command line that cannot be run as written (an unknown option, a missing or malformed value, options that
 * exclude each other): {@link Main} prints its message in one line and exits with status 2, the Unix convention for
 * usage errors, where a run that fails exits with 1.
 */
final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
        super(message);
    }
}
