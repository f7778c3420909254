package org.pararnn.lm.dist;

/**
 * The processes of one data-parallel training run and the few collectives it needs (docs/design.md §2, "Data
 * parallel"): rank and size, a sum across ranks in place, a broadcast from rank 0, and an abort that stops every
 * rank. One process alone is {@link #SINGLE}; under {@code mpirun} it is MPI ({@link Collectives#fromEnvironment}).
 * Calls are made from one thread (the training loop's).
 */
public interface Collective extends AutoCloseable {

    /** This process's rank, {@code 0 .. size − 1}. */
    int rank();

    int size();

    /** {@code data[0 .. length)} becomes the element-wise sum over every rank's values (all ranks call it). */
    void sum(float[] data, int length);

    /** As {@link #sum(float[], int)} for doubles. */
    void sum(double[] data);

    /** Rank 0's {@code bytes} on every rank (all ranks call it; the others' argument is ignored). */
    byte[] broadcast(byte[] bytes);

    /** Stops every rank of the run with {@code code} (after a one-line error was printed); does not return. */
    void abort(int code);

    /** What carries the collectives, for the run header, e.g. the MPI library's version line. */
    String describe();

    @Override
    void close();

    /** One process: sums and broadcasts are the identity. */
    Collective SINGLE = new Collective() {
        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public void sum(float[] data, int length) {
        }

        @Override
        public void sum(double[] data) {
        }

        @Override
        public byte[] broadcast(byte[] bytes) {
            return bytes;
        }

        @Override
        public void abort(int code) {
            System.exit(code);
        }

        @Override
        public String describe() {
            return "one process";
        }

        @Override
        public void close() {
        }
    };
}
