package org.pararnn.api.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes a file so that readers see either the old complete file or the new complete one, never a
 * torn write: temp file in the same directory, fsync, atomic rename, fsync of the directory.
 *
 * <p>The temporary file (and {@link #createTempDirectory}'s directory) is created like any ordinary
 * file, with the mode the process's umask gives, so a run directory can be shared by a team as any
 * other tool's output can. {@code Files.createTempFile} would make it 0600, and the rename keeps that.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /** Content producer writing into an open channel. */
    @FunctionalInterface
    public interface Writer {
        void write(FileChannel channel) throws IOException;
    }

    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = null;
        FileChannel open = null;
        while (open == null) {
            tmp = dir.resolve(uniqueName(target.getFileName().toString(), ".tmp"));
            try {
                open = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException taken) {
                // Another writer drew the same name: draw again.
            }
        }
        boolean done = false;
        try {
            try (FileChannel ch = open) {
                writer.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException | UnsupportedOperationException ignored) {
                // Some file systems cannot open or sync a directory; the rename itself is still atomic.
            }
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * A new empty directory in {@code parent} whose name starts with {@code "." + prefix + "."}, created
     * with the umask's mode (unlike {@code Files.createTempDirectory}, which makes it 0700).
     */
    public static Path createTempDirectory(Path parent, String prefix) throws IOException {
        while (true) {
            try {
                return Files.createDirectory(parent.resolve(uniqueName(prefix, "")));
            } catch (FileAlreadyExistsException taken) {
                // Drawn twice: draw again.
            }
        }
    }

    private static String uniqueName(String base, String suffix) {
        return "." + base + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + suffix;
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, ch -> {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        });
    }
}
