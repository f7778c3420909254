package org.pararnn.backend.cpu.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;

/**
 * The few native calls around loading OpenBLAS (Java 22+ build of the class, from the multi-release jar):
 * the C library's {@code setenv}, so that a setting OpenBLAS reads once when it initialises can be made by the
 * JVM itself before it loads the library, {@code getenv} to read it back, and {@code openblas_get_corename}.
 *
 * <p>{@code setenv} is not safe against a {@code getenv} on another thread at the same instant. It is called at
 * most once per variable, only when the environment lacks it, from the thread that loads OpenBLAS (on the
 * first large product), where only native code of this process's other libraries could be reading the
 * environment; the launcher sets the variable beforehand, so {@code ./pararnn} never calls it.
 */
final class OpenBlasNative {
    private OpenBlasNative() {
    }

    /** Null when {@code name} was set to {@code value} in this process's C environment, else why not. */
    static String setEnvironment(String name, String value) {
        try (Arena arena = Arena.ofConfined()) {
            Linker linker = Linker.nativeLinker();
            MemorySegment symbol = linker.defaultLookup().find("setenv").orElse(null);
            if (symbol == null) {
                return "the C library has no setenv";
            }
            MethodHandle setenv = linker.downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            int rc = (int) setenv.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1);
            return rc == 0 ? null : "setenv(" + name + ") returned " + rc;
        } catch (Throwable e) {
            // IllegalCallerException when native access is denied (--enable-native-access), among others.
            return "setting " + name + " through the C library failed (" + e + ")";
        }
    }

    /** {@code name} in this process's C environment, or null when unset or when that cannot be asked here. */
    static String getEnvironment(String name) {
        try (Arena arena = Arena.ofConfined()) {
            Linker linker = Linker.nativeLinker();
            MemorySegment symbol = linker.defaultLookup().find("getenv").orElse(null);
            if (symbol == null) {
                return null;
            }
            MethodHandle getenv = linker.downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            MemorySegment value = (MemorySegment) getenv.invokeExact(arena.allocateFrom(name));
            return value.equals(MemorySegment.NULL) ? null : value.reinterpret(4096).getString(0);
        } catch (Throwable e) {
            return null;
        }
    }

    /** The kernels OpenBLAS runs ({@code openblas_get_corename}), or null when that cannot be asked here. */
    static String coreName() {
        try {
            MemorySegment symbol = openBlas().find("openblas_get_corename").orElse(null);
            if (symbol == null) {
                return null;
            }
            MethodHandle corename = Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.ADDRESS));
            MemorySegment name = (MemorySegment) corename.invokeExact();
            return name.equals(MemorySegment.NULL) ? null : name.reinterpret(256).getString(0);
        } catch (Throwable e) {
            return null;
        }
    }

    /** The OpenBLAS file JavaCPP extracted and loaded; the class loader's libraries if it is not named. */
    static SymbolLookup openBlas() {
        Optional<String> file = Loader.getLoadedLibraries().entrySet().stream()
                .filter(e -> e.getKey().startsWith("openblas") && e.getValue() != null)
                .map(Map.Entry::getValue).findFirst();
        return file.isPresent()
                ? SymbolLookup.libraryLookup(Path.of(file.get()), Arena.global())
                : SymbolLookup.loaderLookup();
    }
}
