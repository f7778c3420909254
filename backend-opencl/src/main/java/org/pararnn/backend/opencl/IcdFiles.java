package org.pararnn.backend.opencl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/** The OpenCL runtimes the ICD loader would find, read from its vendor files without loading anything. */
final class IcdFiles {
    static final Path DEFAULT_DIR = Path.of("/etc/OpenCL/vendors");

    private IcdFiles() {
    }

    /** True when every installed ICD is PoCL (or there is none): no GPU runtime to hope for. */
    static boolean onlyCpuRuntimes() {
        String env = System.getenv("OCL_ICD_VENDORS");
        Path where = env != null && !env.isBlank() ? Path.of(env) : DEFAULT_DIR;
        if (Files.isRegularFile(where)) {
            return isCpuRuntime(where);
        }
        if (!Files.isDirectory(where)) {
            return true;
        }
        try (Stream<Path> files = Files.list(where)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".icd")).allMatch(IcdFiles::isCpuRuntime);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean isCpuRuntime(Path icd) {
        return icd.getFileName().toString().toLowerCase(Locale.ROOT).contains("pocl");
    }
}
