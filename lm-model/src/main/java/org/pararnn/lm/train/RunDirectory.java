package org.pararnn.lm.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A run directory held by one run at a time (docs/design.md §2, "Run directories").
 *
 * <p>A directory that already holds a run (its {@code metrics.jsonl}, {@code loss.png} or {@code checkpoints/}) is
 * refused unless the run is continued ({@link Claim#CONTINUE}) or explicitly replaced ({@link Claim#REPLACE}, which
 * removes those files first). While a run writes, {@code run.lock} holds an operating-system lock on the file and
 * names the holder (pid, host, start, command): a second run is refused naming it. A run that ends empties the file;
 * the operating system drops the lock when its process dies, however it dies, so a lock file that names a holder but
 * whose lock is free was left by a killed run: it is taken over and said so.
 */
public final class RunDirectory implements AutoCloseable {
    /** The lock file's name inside the run directory. */
    public static final String LOCK = "run.lock";
    /** What makes a directory hold a run: any of these. */
    static final List<String> RUN_FILES = List.of("metrics.jsonl", "loss.png", "checkpoints");

    /** How a run means to use a directory. */
    public enum Claim {
        /** A new run: the directory must not hold one. */
        FRESH,
        /** The run continues the one in the directory (or starts a new one if it holds none). */
        CONTINUE,
        /** A new run replacing the one in the directory: its metrics, plot and checkpoints are removed first. */
        REPLACE
    }

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final String takenOver;

    private RunDirectory(Path dir, FileChannel channel, FileLock lock, String takenOver) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.takenOver = takenOver;
    }

    /**
     * Takes {@code dir} for a run (created if missing): refused with an {@link IllegalArgumentException} naming the
     * problem and the way out when it holds another run, or when another live run holds its lock. {@code command}
     * is written into the lock for whoever is refused.
     */
    public static RunDirectory claim(Path dir, Claim how, String command) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a directory");
        }
        if (how == Claim.FRESH) {
            Optional<String> held = describeRun(dir);
            if (held.isPresent()) {
                throw new IllegalArgumentException("--out " + dir + " already holds a run (" + held.get()
                        + "); give --resume " + dir + " to continue it, --overwrite to replace it, or another --out");
            }
        }
        Files.createDirectories(dir);
        Path file = dir.resolve(LOCK);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process (another run in the same JVM)
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        String previous = readAll(ch);
        if (lock == null) {
            ch.close();
            throw new IllegalArgumentException("--out " + dir + " is in use by another run (" + holder(previous)
                    + "); wait for it to end or give another --out");
        }
        try {
            if (how == Claim.FRESH) { // again, now that no one else can start writing
                Optional<String> held = describeRun(dir);
                if (held.isPresent()) {
                    throw new IllegalArgumentException("--out " + dir + " already holds a run (" + held.get()
                            + "); give --resume " + dir + " to continue it, --overwrite to replace it, or another --out");
                }
            }
            if (how == Claim.REPLACE) {
                for (String name : RUN_FILES) {
                    deleteTree(dir.resolve(name));
                }
            }
            String mine = "pid " + ProcessHandle.current().pid() + " on " + host() + " since " + Instant.now()
                    + " (" + command + ")\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(mine.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            lock.release();
            ch.close();
            throw e;
        }
        String stale = previous.isBlank() ? null : "took over the lock of a run that ended without releasing it ("
                + holder(previous) + (pidOf(previous).map(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
                .orElse(false) ? "; that pid is alive but does not hold the lock: another process reused it" : ", no longer running")
                + ")";
        return new RunDirectory(dir, ch, lock, stale);
    }

    /** The directory. */
    public Path path() {
        return dir;
    }

    /** A line to show when this claim took over a killed run's lock, else empty. */
    public Optional<String> takenOver() {
        return Optional.ofNullable(takenOver);
    }

    /** What run {@code dir} holds, in words (its last step, its files), or empty when it holds none. */
    public static Optional<String> describeRun(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<String> found = new ArrayList<>();
        for (String name : RUN_FILES) {
            if (Files.exists(dir.resolve(name))) {
                found.add(name);
            }
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        String at = "";
        try {
            Path ck = Checkpoint.resolve(dir);
            at = "checkpoint at step " + Checkpoint.readState(ck).step() + "; ";
        } catch (IOException | RuntimeException e) {
            // no complete checkpoint: the files alone say it is a run
        }
        return Optional.of(at + String.join(", ", found));
    }

    /**
     * Releases the lock and empties the lock file (another run may then take the directory). The file stays: removing
     * it would let a run that opened it just before take a lock on a file no one else can see.
     */
    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        try {
            channel.truncate(0);
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    private static String readAll(FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 4096);
        ByteBuffer b = ByteBuffer.allocate((int) size);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // read until full
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
    }

    private static String holder(String content) {
        return content.isBlank() ? "no holder recorded" : content.lines().findFirst().orElse(content);
    }

    private static Optional<Long> pidOf(String content) {
        if (!content.startsWith("pid ")) {
            return Optional.empty();
        }
        int end = content.indexOf(' ', 4);
        try {
            return Optional.of(Long.parseLong(content.substring(4, end < 0 ? content.length() : end)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String host() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        if (!Files.isDirectory(p)) {
            Files.delete(p);
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
