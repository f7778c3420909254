package org.pararnn.lm.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.Loss;
import org.pararnn.lm.model.SolveActivity;
import org.pararnn.lm.nn.Parameter;

/**
 * In-process data parallel (docs/design.md §5, "Shards"): a micro-batch's rows cut into {@code count}
 * contiguous slices, each run forward and backward by a replica of the model on a share of the backend's
 * threads ({@link Backend#divide}), side by side; their gradients are then added into the model's own,
 * each weighted by its share of the counted targets, so the sum is the whole batch's gradient. The model
 * itself keeps its parameters, optimiser, evaluations and checkpoints; replicas copy its parameter values
 * at the start of every micro-batch.
 *
 * <p>Why: on a few cores the step's many small operations scale poorly over threads, while independent
 * replicas on one thread each do not wait on one another. Deterministic: the rows each replica gets, and the
 * order the gradients are added in, depend on the shard count alone, never on timing; a run's shard count is
 * saved with its checkpoints.
 */
public final class Shards implements MicroBatches, AutoCloseable {
    private final LanguageModel model;
    private final List<Backend> backends;
    private final List<LanguageModel> replicas = new ArrayList<>();
    private final ExecutorService pool;
    private SolveActivity lastSolves = SolveActivity.NONE;
    private final int threadsEach;

    private Shards(LanguageModel model, List<Backend> backends) {
        this.model = model;
        this.backends = backends;
        RnnSolver solver = model.solver();
        for (Backend b : backends) {
            RnnSolver s = RnnSolver.on(b).mode(solver.mode());
            if (solver.newtonOptions() != null) {
                s = s.newton(solver.newtonOptions());
            }
            replicas.add(new LanguageModel(model.config()).solver(s));
        }
        this.threadsEach = backends.get(0).loop().parallelism();
        this.pool = Executors.newFixedThreadPool(backends.size() - 1, r -> {
            Thread t = new Thread(r, "pararnn-shard");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * {@code count} replicas of {@code model} on its backend's threads divided among them, or empty (with the
     * reason) where one shard is asked for, the backend cannot divide itself, or the model's parameters do not
     * live in Java arrays.
     */
    public static Optional<Shards> of(LanguageModel model, int count, StringBuilder whyNot) {
        if (count < 1) {
            throw new IllegalArgumentException("--shards must be at least 1, got " + count);
        }
        if (count == 1) {
            whyNot.append("one shard");
            return Optional.empty();
        }
        Backend backend = model.solver().backend();
        if (!backend.ops().takesHostArrays()) {
            whyNot.append("backend ").append(backend.name()).append("'s ops keep parameters on its device");
            return Optional.empty();
        }
        Optional<List<Backend>> parts = backend.divide(count);
        if (parts.isEmpty()) {
            whyNot.append("backend ").append(backend.name()).append(" cannot divide its threads");
            return Optional.empty();
        }
        return Optional.of(new Shards(model, parts.get()));
    }

    /**
     * The shard count a run takes by default on {@code model}'s backend with micro-batches of {@code batch}:
     * one replica per thread, as many as divide the batch evenly (1 on a backend that cannot divide itself).
     */
    public static int automatic(LanguageModel model, int batch) {
        Backend backend = model.solver().backend();
        if (!backend.ops().takesHostArrays()) {
            return 1;
        }
        int threads = backend.loop().parallelism();
        for (int n = Math.min(threads, batch); n > 1; n--) {
            if (batch % n == 0) {
                return n;
            }
        }
        return 1;
    }

    public int count() {
        return replicas.size();
    }

    @Override
    public int replicas() {
        return count();
    }

    @Override
    public Loss forwardBackward(Batch b) {
        return forwardBackward(b.tokens, b.targets, b.batch, b.steps);
    }

    /** For the run header. */
    public String describe(int batch) {
        return count() + " replicas side by side in this process, " + batch / count() + " sequences and " + threadsEach
                + " thread" + (threadsEach == 1 ? "" : "s") + " each; gradients summed into the model's";
    }

    /**
     * Forward and backward of {@code tokens}/{@code targets} ({@code [batch][steps]}, the batch a multiple of
     * the shard count), the gradient added into the model's accumulators as {@link LanguageModel#backward()}
     * would add it; the loss as {@link LanguageModel#forward(int[], int[], int, int)} would return it.
     */
    public Loss forwardBackward(int[] tokens, int[] targets, int batch, int steps) {
        int n = count();
        if (batch % n != 0) {
            throw new IllegalArgumentException("a batch of " + batch + " sequences does not divide into " + n
                    + " shards: use a batch that is a multiple of " + n + ", or --shards 1");
        }
        int rows = batch / n * steps;
        List<Future<Loss>> pending = new ArrayList<>(n - 1);
        for (int k = 1; k < n; k++) {
            int shard = k;
            pending.add(pool.submit(() -> run(shard, tokens, targets, rows, batch / n, steps)));
        }
        Loss[] losses = new Loss[n];
        Throwable failure = null;
        try {
            losses[0] = run(0, tokens, targets, rows, batch / n, steps);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (int k = 1; k < n; k++) {
            try {
                losses[k] = pending.get(k - 1).get();
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? e : failure;
            }
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException("a shard failed", failure);
        }
        return combine(losses);
    }

    /** Replica {@code k}: the model's values, its rows forward and backward, from zeroed gradients. */
    private Loss run(int k, int[] tokens, int[] targets, int rows, int batch, int steps) {
        LanguageModel r = replicas.get(k);
        List<Parameter> mine = r.parameters();
        List<Parameter> theirs = model.parameters();
        for (int i = 0; i < mine.size(); i++) {
            float[] v = theirs.get(i).data();
            System.arraycopy(v, 0, mine.get(i).data(), 0, v.length);
        }
        r.zeroGradients();
        int[] tok = java.util.Arrays.copyOfRange(tokens, k * rows, (k + 1) * rows);
        int[] tgt = java.util.Arrays.copyOfRange(targets, k * rows, (k + 1) * rows);
        Loss loss = r.forward(tok, tgt, batch, steps);
        if (loss.counted() > 0) {
            r.backward();
        }
        return loss;
    }

    /**
     * The replicas' gradients into the model's, replica by replica in order, each times its share of the counted
     * targets (every loss term is a mean over them); the losses likewise.
     */
    private Loss combine(Loss[] losses) {
        long counted = 0;
        SolveActivity solves = SolveActivity.NONE;
        for (int k = 0; k < losses.length; k++) {
            counted += losses[k].counted();
            solves = solves.plus(replicas.get(k).lastSolves());
        }
        lastSolves = solves;
        if (counted == 0) {
            return new Loss(0, 0, 0, 0, 0, 0);
        }
        List<Parameter> params = model.parameters();
        double total = 0;
        double crossEntropy = 0;
        int correct = 0;
        int sequences = 0;
        int exact = 0;
        for (int k = 0; k < losses.length; k++) {
            Loss l = losses[k];
            correct += l.correct();
            sequences += l.sequences();
            exact += l.exact();
            if (l.counted() == 0) {
                continue;
            }
            double w = (double) l.counted() / counted;
            total += w * l.total();
            crossEntropy += w * l.crossEntropy();
            float wf = (float) w;
            List<Parameter> mine = replicas.get(k).parameters();
            for (int i = 0; i < params.size(); i++) {
                float[] into = params.get(i).gradData();
                float[] g = mine.get(i).gradData();
                for (int j = 0; j < into.length; j++) {
                    into[j] += wf * g[j];
                }
            }
        }
        return new Loss(total, crossEntropy, (int) counted, correct, sequences, exact);
    }

    /** What the replicas' cell solves did in the last micro-batch, together. */
    @Override
    public SolveActivity lastSolves() {
        return lastSolves;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        for (Backend b : backends) {
            b.close();
        }
    }
}
