package org.pararnn.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    /** An atomically written file gets the mode any ordinary file gets here (the umask's), not 0600. */
    @Test
    void writtenFilesAndDirectoriesGetTheUmasksMode() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "no POSIX permissions here");
        Path plainFile = Files.createFile(dir.resolve("plain"));
        Path plainDir = Files.createDirectory(dir.resolve("plain-dir"));
        Path written = dir.resolve("written.txt");
        AtomicFiles.writeString(written, "hello\n");
        assertEquals("hello\n", Files.readString(written));
        assertEquals(mode(plainFile), mode(written));
        Path tmpDir = AtomicFiles.createTempDirectory(dir, "ck");
        assertEquals(mode(plainDir), mode(tmpDir));
        assertTrue(tmpDir.getFileName().toString().startsWith(".ck."), tmpDir.toString());
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path target = dir.resolve("kept.txt");
        AtomicFiles.writeString(target, "old");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, ch -> {
            throw new IOException("disk on fire");
        }));
        assertEquals("old", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
