package org.pararnn.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.train.AdamW;
import org.pararnn.lm.train.TrainConfig;

/**
 * A language model's training step next to the same step's products alone, paired in one JVM on one
 * backend: where the step's time goes besides its GEMMs (issue 18's target on a GPU: the step within twice
 * its GEMMs). The products are recorded from one step through the backend's ops (a recording proxy of
 * {@link Ops}) and replayed as they were, on the same arrays; on a device backend each side ends with a
 * reduction that waits for the device.
 *
 * <pre>
 * java … org.pararnn.bench.StepTiming --backend cpu --dim 128 --layers 4 --heads 2 --context 64 --batch 12 [--warmup 150]
 * </pre>
 */
public final class StepTiming {
    private StepTiming() {
    }

    /** One recorded product. */
    private record Product(Matrix a, boolean transA, Matrix b, boolean transB, float alpha, float beta, Matrix c) {
        long flops() {
            long k = transA ? a.rows() : a.cols();
            return 2L * c.rows() * c.cols() * k;
        }
    }

    /** Ops that note every product while recording and otherwise pass every call through. */
    private static final class Recorder implements InvocationHandler {
        final Ops target;
        final List<Product> products = new ArrayList<>();
        boolean recording;

        Recorder(Ops target) {
            this.target = target;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            if (recording && m.getName().equals("matmul")) {
                products.add(new Product((Matrix) args[0], (Boolean) args[1], (Matrix) args[2], (Boolean) args[3], (Float) args[4],
                        (Float) args[5], (Matrix) args[6]));
            }
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** The backend with its ops (and its host ops, where they are the same) seen through the recorder. */
    private static Backend recording(Backend backend, Ops ops) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (p, m, a) -> {
            if (m.getName().equals("ops") || (m.getName().equals("hostOps") && backend.ops().takesHostArrays())) {
                return ops;
            }
            try {
                return m.invoke(backend, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /** {@code --name value} pairs; an unknown or malformed one is refused, naming it. */
    private record Options(java.util.Map<String, String> values) {
        static final List<String> KNOWN = List.of("backend", "dim", "layers", "heads", "context", "batch", "vocab", "pairs", "per",
                "cell", "warmup");

        static Options parse(String[] args) {
            java.util.Map<String, String> v = new java.util.HashMap<>();
            for (int i = 0; i < args.length; i += 2) {
                String key = args[i].startsWith("--") ? args[i].substring(2) : null;
                if (key == null || !KNOWN.contains(key) || i + 1 >= args.length) {
                    throw new IllegalArgumentException("StepTiming: expected --name value with a name among " + KNOWN + ", got '"
                            + args[i] + "'");
                }
                v.put(key, args[i + 1]);
            }
            return new Options(v);
        }

        String get(String key, String fallback) {
            return values.getOrDefault(key, fallback);
        }

        int getInt(String key, int fallback) {
            String s = values.get(key);
            try {
                return s == null ? fallback : Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("StepTiming: --" + key + " must be an integer, got '" + s + "'");
            }
        }
    }

    public static void main(String[] args) {
        Options o = Options.parse(args);
        String name = o.get("backend", "cpu");
        int dim = o.getInt("dim", 128);
        int layers = o.getInt("layers", 4);
        int heads = o.getInt("heads", 2);
        int context = o.getInt("context", 64);
        int batch = o.getInt("batch", 12);
        int vocab = o.getInt("vocab", 65);
        int pairs = o.getInt("pairs", 10);
        int per = o.getInt("per", 3);
        String cell = o.get("cell", "paragru");
        // The Vector API kernels reach their compiled speed only after on the order of a hundred steps (README, "StepTiming").
        int warmup = o.getInt("warmup", 150);
        try (Backend backend = Backends.fromEnvironment().forcing(name, "StepTiming").choose()) {
            Recorder recorder = new Recorder(backend.ops());
            Ops ops = (Ops) Proxy.newProxyInstance(Ops.class.getClassLoader(), new Class<?>[] {Ops.class}, recorder);
            LanguageModel model = new LanguageModel(ModelConfig.languageModel(vocab, dim, layers, heads, cell, 1))
                    .solver(RnnSolver.on(recording(backend, ops)).mode(Mode.AUTO));
            AdamW optimizer = AdamW.of(model.parameters(), TrainConfig.textDefaults());
            int[] tokens = new int[batch * context];
            int[] targets = new int[batch * context];
            Random r = new Random(1);
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = r.nextInt(vocab);
                targets[i] = r.nextInt(vocab);
            }
            DeviceArray probe = ops.allocate("sync", 1);
            Runnable step = () -> optimizer.trainStep(model, tokens, targets, batch, context, 1e-4);
            step.run();
            recorder.recording = true;
            step.run();
            recorder.recording = false;
            List<Product> products = List.copyOf(recorder.products);
            Runnable gemms = () -> {
                for (Product p : products) {
                    ops.matmul(p.a(), p.transA(), p.b(), p.transB(), p.alpha(), p.beta(), p.c());
                }
                ops.sumOfSquares(probe); // waits for the device
            };
            for (int w = 0; w < warmup; w++) {
                step.run();
                gemms.run();
            }
            PairedTiming.Result t = PairedTiming.measure(step, gemms, pairs, per);
            long flops = products.stream().mapToLong(Product::flops).sum();
            System.out.printf(Locale.ROOT, "%s on %s (%s): D=%d, %d layers, %d heads, batch %d × %d tokens%n", cell, backend.name(),
                    backend.ops().describe(), dim, layers, heads, batch, context);
            System.out.printf(Locale.ROOT, "training step: median %.2f ms (%,.0f tokens/s); its %d products alone: median %.2f ms"
                            + " (%.2f GFLOP, %.1f GFLOP/s); step / products: median %.2f (quartiles %.2f, %.2f; %d pairs of %d)%n",
                    t.medianA(), batch * context / (t.medianA() / 1e3), products.size(), t.medianB(), flops / 1e9,
                    flops / 1e9 / (t.medianB() / 1e3), t.ratioMedian(), t.ratioQ1(), t.ratioQ3(), pairs, per);
        }
    }
}
