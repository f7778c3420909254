package org.pararnn.lm.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Turns a failure into the one line the command line prints after {@code error: }. The line says what
 * went wrong in the user's terms (the file, the option, the shape) and never carries an exception's
 * class name; {@code -Dpararnn.debug=true} adds the stack trace for a bug report.
 */
final class CliErrors {
    static final String DEBUG_PROPERTY = "pararnn.debug";

    private CliErrors() {
    }

    static String message(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof FileSystemException f) {
            return fileProblem(f);
        }
        if (t instanceof OutOfMemoryError) {
            return "the Java heap ran out (" + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB); give the JVM more with "
                    + "JAVA_OPTS=-Xmx<size> or make the run smaller (--batch, --context/--length, --dim)";
        }
        if (t instanceof StackOverflowError) {
            return "the call stack overflowed; this is a bug, please report it (rerun with JAVA_OPTS=-D" + DEBUG_PROPERTY
                    + "=true for the stack trace)";
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return "unexpected failure without a message at " + where(t) + "; this is a bug, please report it (rerun "
                    + "with JAVA_OPTS=-D" + DEBUG_PROPERTY + "=true for the stack trace)";
        }
        return m;
    }

    /**
     * Wrappers are peeled off: a wiring failure always, an unchecked I/O error unless it adds context of
     * its own ("cannot load weights from X"), which then leads the cause's line.
     */
    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        for (int guard = 0; guard < 8 && t.getCause() != null; guard++) {
            Throwable c = t.getCause();
            boolean wiring = t.getClass().getName().startsWith("com.google.inject.");
            boolean bare = t.getMessage() == null || t.getMessage().equals(c.getMessage()) || t.getMessage().equals(c.toString());
            if (wiring || (t instanceof UncheckedIOException && bare)) {
                t = c;
            } else if (t instanceof UncheckedIOException) {
                return new ContextualFailure(t.getMessage() + ": " + message(c));
            } else {
                break;
            }
        }
        return t;
    }

    /** A message already in the user's terms. */
    private static final class ContextualFailure extends RuntimeException {
        ContextualFailure(String message) {
            super(message, null, false, false);
        }
    }

    private static String fileProblem(FileSystemException f) {
        String file = f.getFile();
        String why = f.getReason() == null ? "" : " (" + f.getReason() + ")";
        if (f instanceof NoSuchFileException) {
            return "file not found: " + file;
        }
        if (f instanceof AccessDeniedException) {
            return "permission denied: " + file;
        }
        if (f instanceof FileAlreadyExistsException) {
            return "already exists: " + file;
        }
        if (f instanceof NotDirectoryException) {
            return "not a directory: " + file;
        }
        if (f instanceof DirectoryNotEmptyException) {
            return "directory not empty: " + file;
        }
        return "cannot use " + file + (f.getOtherFile() != null ? " / " + f.getOtherFile() : "") + why;
    }

    private static String where(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        return st.length == 0 ? "an unknown place" : st[0].getFileName() + ":" + st[0].getLineNumber();
    }
}
