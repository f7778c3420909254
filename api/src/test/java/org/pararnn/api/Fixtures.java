package org.pararnn.api;

import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.pararnn.api.reference.ReferenceBackend;
import org.pararnn.api.reference.ReferenceScan;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ParallelLoop;

/** Random data, error norms and a backend whose loop runs on real threads (to exercise task splitting). */
public final class Fixtures {
    private Fixtures() {
    }

    public static float[] gaussian(int size, double std, long seed) {
        Random r = new Random(seed);
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (std * r.nextGaussian());
        }
        return a;
    }

    /** {@code ‖a − ref‖₂ / max(‖ref‖₂, tiny)}. */
    public static double relativeError(float[] a, double[] ref) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - ref[i];
            num += d * d;
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
    }

    public static double relativeError(float[] a, float[] ref) {
        double[] r = new double[ref.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = ref[i];
        }
        return relativeError(a, r);
    }

    public static Backend reference() {
        return new ReferenceBackend();
    }

    /** The reference scan with a 4-thread loop: same math, real concurrency in the generic solvers. */
    public static Backend threaded() {
        return new Backend() {
            private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "test-loop");
                t.setDaemon(true);
                return t;
            });
            private final LinearScan scan = new ReferenceScan();

            @Override
            public String name() {
                return "threaded-reference";
            }

            @Override
            public String device() {
                return "4 test threads";
            }

            @Override
            public LinearScan scan() {
                return scan;
            }

            @Override
            public ParallelLoop loop() {
                return new ParallelLoop() {
                    @Override
                    public int parallelism() {
                        return 4;
                    }

                    @Override
                    public void forEach(int tasks, IntConsumer task) {
                        Future<?>[] fs = new Future<?>[tasks];
                        for (int i = 0; i < tasks; i++) {
                            int id = i;
                            fs[i] = pool.submit(() -> task.accept(id));
                        }
                        for (Future<?> f : fs) {
                            try {
                                f.get();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }
                };
            }

            @Override
            public void close() {
                pool.shutdownNow();
            }
        };
    }
}
