package org.pararnn.api.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Whether the JDK's signal-chaining library ({@code libjsig}) is loaded in this JVM. OpenCL runtimes that
 * compile kernels with LLVM in-process (PoCL on a CPU does) install LLVM's handlers for SIGSEGV, SIGBUS,
 * SIGFPE and SIGILL, replacing the JVM's. The JVM raises some of those signals itself and needs its own
 * handler to see them; LLVM's one-shot handlers ({@code SA_RESETHAND}) then leave the default action in
 * place for a moment, and a JVM signal in that moment kills the process with no error report
 * ({@code -Xcheck:jni} shows the replacement; README, "Where the defaults come from"). With {@code libjsig}
 * preloaded the JVM's handlers stay first and others are chained behind them. Here in the SPI so that a
 * backend can report it ({@link Backend#keepsJvmSignalHandlers}) and an application can act on it.
 */
public final class SignalChaining {
    public static final String FIX = "start java with LD_PRELOAD="
            + Path.of(System.getProperty("java.home"), "lib", "libjsig.so")
            + " (./pararnn and the build's test JVMs do)";

    private SignalChaining() {
    }

    /** Loaded, not loaded, or not knowable here (no {@code /proc/self/maps}). */
    public enum State { LOADED, ABSENT, UNKNOWN }

    /** Read once from the process's memory map (Linux; what is preloaded is fixed at start); else {@code UNKNOWN}. */
    public static State state() {
        return Holder.STATE;
    }

    private static final class Holder {
        static final State STATE = read();
    }

    private static State read() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return State.UNKNOWN;
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.anyMatch(l -> l.endsWith("/libjsig.so")) ? State.LOADED : State.ABSENT;
        } catch (IOException | RuntimeException e) {
            return State.UNKNOWN;
        }
    }

    /** The probe's {@code signalChaining} detail. */
    public static String describe(State s) {
        return switch (s) {
            case LOADED -> "libjsig loaded";
            case UNKNOWN -> "unknown (no /proc/self/maps)";
            case ABSENT -> "libjsig NOT loaded: an OpenCL runtime that compiles with LLVM in-process (PoCL) replaces"
                    + " the JVM's SIGSEGV/SIGBUS/SIGFPE/SIGILL handlers and the JVM can die without an error report; "
                    + FIX;
        };
    }
}
