package org.pararnn.lm.dist;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Open MPI's C library through the Foreign Function API (Java 22+; the Java 21 class of this name refuses). A thin
 * layer: {@code MPI_Init_thread} (funneled: only the training loop's thread calls MPI), rank and size of
 * {@code MPI_COMM_WORLD}, {@code MPI_Allreduce} in place on Java arrays (linked critical, so no copy), {@code MPI_Bcast},
 * {@code MPI_Abort}, {@code MPI_Finalize}. Open MPI's handles ({@code MPI_COMM_WORLD}, {@code MPI_FLOAT}, {@code MPI_SUM}…)
 * are the addresses of its exported objects ({@code ompi_mpi_comm_world}…), which is Open MPI's ABI, not MPICH's.
 * The library is opened with {@code RTLD_GLOBAL} first, as Open MPI's plug-ins expect its symbols to be global.
 */
final class MpiLibrary {
    private static final int MPI_THREAD_FUNNELED = 1;
    private static final int RTLD_NOW_GLOBAL = 0x2 | 0x100;

    private MpiLibrary() {
    }

    static Collective join() {
        return new Mpi();
    }

    private static final class Mpi implements Collective {
        private final Linker linker = Linker.nativeLinker();
        private final SymbolLookup lib;
        private final MemorySegment comm;
        private final MemorySegment floatType;
        private final MemorySegment doubleType;
        private final MemorySegment byteType;
        private final MemorySegment intType;
        private final MemorySegment sumOp;
        private final MethodHandle allreduce;
        private final MethodHandle bcast;
        private final MethodHandle abortCall;
        private final MethodHandle finalizeCall;
        private final int rank;
        private final int size;
        private final String version;
        private boolean closed;

        Mpi() {
            String name = System.getenv().getOrDefault("PARARNN_MPI_LIBRARY", "libmpi.so.40");
            try {
                MethodHandle dlopen = linker.downcallHandle(linker.defaultLookup().find("dlopen").orElseThrow(),
                        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment handle = (MemorySegment) dlopen.invokeExact(a.allocateFrom(name), RTLD_NOW_GLOBAL);
                    if (handle.address() == 0) {
                        throw new IllegalStateException("could not load Open MPI's library '" + name + "' (install Open MPI, e.g. "
                                + "Debian's openmpi-bin and libopenmpi-dev, or set PARARNN_MPI_LIBRARY to its path)");
                    }
                }
            } catch (IllegalStateException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("could not load Open MPI's library '" + name + "': " + t, t);
            }
            lib = SymbolLookup.libraryLookup(name, Arena.global());
            comm = symbol("ompi_mpi_comm_world");
            floatType = symbol("ompi_mpi_float");
            doubleType = symbol("ompi_mpi_double");
            byteType = symbol("ompi_mpi_byte");
            intType = symbol("ompi_mpi_int");
            sumOp = symbol("ompi_mpi_op_sum");
            FunctionDescriptor six = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
            allreduce = linker.downcallHandle(symbol("MPI_Allreduce"), six, Linker.Option.critical(true));
            bcast = linker.downcallHandle(symbol("MPI_Bcast"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS),
                    Linker.Option.critical(true));
            abortCall = linker.downcallHandle(symbol("MPI_Abort"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            finalizeCall = linker.downcallHandle(symbol("MPI_Finalize"), FunctionDescriptor.of(JAVA_INT));
            MethodHandle init = linker.downcallHandle(symbol("MPI_Init_thread"),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
            MethodHandle commRank = linker.downcallHandle(symbol("MPI_Comm_rank"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            MethodHandle commSize = linker.downcallHandle(symbol("MPI_Comm_size"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            MethodHandle libVersion = linker.downcallHandle(symbol("MPI_Get_library_version"),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(JAVA_INT);
                check((int) init.invokeExact(MemorySegment.NULL, MemorySegment.NULL, MPI_THREAD_FUNNELED, out), "MPI_Init_thread");
                if (out.get(JAVA_INT, 0) < MPI_THREAD_FUNNELED) {
                    throw new IllegalStateException("MPI offers thread level " + out.get(JAVA_INT, 0) + ", below MPI_THREAD_FUNNELED");
                }
                check((int) commRank.invokeExact(comm, out), "MPI_Comm_rank");
                rank = out.get(JAVA_INT, 0);
                check((int) commSize.invokeExact(comm, out), "MPI_Comm_size");
                size = out.get(JAVA_INT, 0);
                MemorySegment text = a.allocate(256 + 1);
                check((int) libVersion.invokeExact(text, out), "MPI_Get_library_version");
                String v = text.getString(0).strip();
                int nl = v.indexOf('\n');
                version = nl > 0 ? v.substring(0, nl).strip() : v;
            } catch (IllegalStateException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("MPI start-up failed: " + t, t);
            }
        }

        private MemorySegment symbol(String s) {
            return lib.find(s).orElseThrow(() -> new IllegalStateException("Open MPI's library has no symbol " + s
                    + " (is it Open MPI? ParaRNN-J binds Open MPI's ABI)"));
        }

        private static void check(int rc, String call) {
            if (rc != 0) {
                throw new IllegalStateException(call + " failed with MPI error " + rc);
            }
        }

        @Override
        public int rank() {
            return rank;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public void sum(float[] data, int length) {
            try {
                check((int) allreduce.invokeExact(MemorySegment.ofAddress(1), MemorySegment.ofArray(data), length, floatType, sumOp, comm),
                        "MPI_Allreduce");
            } catch (IllegalStateException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("MPI_Allreduce: " + t, t);
            }
        }

        @Override
        public void sum(double[] data) {
            try {
                check((int) allreduce.invokeExact(MemorySegment.ofAddress(1), MemorySegment.ofArray(data), data.length, doubleType, sumOp,
                        comm), "MPI_Allreduce");
            } catch (IllegalStateException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("MPI_Allreduce: " + t, t);
            }
        }

        @Override
        public byte[] broadcast(byte[] bytes) {
            try {
                int[] length = {rank == 0 ? bytes.length : 0};
                check((int) bcast.invokeExact(MemorySegment.ofArray(length), 1, intType, 0, comm), "MPI_Bcast");
                byte[] out = rank == 0 ? bytes : new byte[length[0]];
                check((int) bcast.invokeExact(MemorySegment.ofArray(out), out.length, byteType, 0, comm), "MPI_Bcast");
                return out;
            } catch (IllegalStateException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("MPI_Bcast: " + t, t);
            }
        }

        @Override
        public void abort(int code) {
            System.err.flush();
            System.out.flush();
            try {
                int ignored = (int) abortCall.invokeExact(comm, code);
            } catch (Throwable t) {
                // fall through to exit
            }
            Runtime.getRuntime().halt(code);
        }

        @Override
        public String describe() {
            return "MPI, " + size + " ranks (" + version + ")";
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                int ignored = (int) finalizeCall.invokeExact();
            } catch (Throwable t) {
                // the process is ending anyway
            }
        }
    }
}
