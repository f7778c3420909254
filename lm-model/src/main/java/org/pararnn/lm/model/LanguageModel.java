package org.pararnn.lm.model;

import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.DeviceInts;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.Cell;
import org.pararnn.lm.nn.Parameter;

/**
 * A ParaGRU / ParaLSTM sequence model with explicit forward and backward (no autograd): token embedding
 * (plus learned positions for the cell-alone model) → {@link Layer}s → {@link Head} → logits. The paper's
 * language model ({@link Architecture#LM}) stacks {@link RnnBlock} + {@link MlpBlock} pairs under a
 * tied head; the cell alone ({@link Architecture#CELL}) is one {@link CellLayer} under a linear head.
 * Cells are solved by the {@link RnnSolver} given to {@link #solver}, so the backend and the mode are
 * the caller's choice. Not thread-safe: one forward/backward at a time.
 */
public final class LanguageModel {
    private final ModelConfig config;
    private final List<Parameter> params = new ArrayList<>();
    private final List<Layer> layers = new ArrayList<>();
    private final List<Cell> cells = new ArrayList<>();
    private final Parameter embed;
    private final Parameter pos;
    private final Head head;
    private RnnSolver solver;

    /** The backend's ops: the step's arrays and every operation besides the cells' solves. */
    private Ops ops;
    private final DeviceBuffers buffers = new DeviceBuffers();
    /** {@code [rows][D]}: the stream, embedding plus positions, then transformed by each layer in turn. */
    private DeviceArray x;
    /** {@code [rows][V]}: the head's output; turned into ∂L/∂logits in place by {@link #backward()}. */
    private DeviceArray logits;
    /** {@code [rows][D]}: ∂L/∂x, from the head back through the layers to the embedding. */
    private DeviceArray dx;
    /** {@code [rows]}: the tokens, the targets and each row's arg-max class, on the ops. */
    private DeviceInts tokensArray;
    private DeviceInts targetsArray;
    private DeviceInts predictionsArray;
    /** The predictions in a Java array (for accuracy), and the logits (for generation, on request). */
    private int[] predictions;
    private float[] logitsHost;
    private boolean logitsHostCurrent;
    private int[] lastTargets;
    private int lastBatch;
    private int lastSteps;
    private SolveActivity lastSolves = SolveActivity.NONE;

    public LanguageModel(ModelConfig config) {
        this.config = config;
        int d = config.dim();
        embed = add(Parameter.of("embed.weight", true, config.vocab(), d));
        if (config.positions() == 0) {
            pos = null;
        } else if (config.positionEncoding() == PositionEncoding.LEARNED) {
            pos = add(Parameter.of("pos.weight", false, config.positions(), d));
        } else {
            // Fixed: not a parameter (never trained, counted or checkpointed); its gradient is computed and dropped.
            pos = Parameter.of("pos.sinusoids", false, config.positions(), d);
            System.arraycopy(PositionEncoding.sinusoids(config.positions(), d), 0, pos.data(), 0, pos.data().length);
        }
        switch (config.architecture()) {
            case LM -> {
                for (int l = 0; l < config.layers(); l++) {
                    layers.add(new RnnBlock("layers." + l + ".rnn.", newCell(config, d), d, config.convKernel()));
                    layers.add(new MlpBlock("layers." + l + ".mlp.", d, config.mlpHidden()));
                }
                head = Head.tied(embed, d, config.vocab());
            }
            case BLOCK -> {
                layers.add(new RnnBlock("layers.0.rnn.", newCell(config, d), d, config.convKernel()));
                head = Head.normed(d, config.vocab());
            }
            default -> {
                layers.add(new CellLayer(newCell(config, d)));
                head = Head.linear(d, config.vocab());
            }
        }
        for (Layer l : layers) {
            params.addAll(l.parameters());
            cells.addAll(l.cells());
        }
        params.addAll(head.parameters());
        initialize();
    }

    private static Cell newCell(ModelConfig config, int d) {
        return CellKinds.create(config.cell(), d, config.heads());
    }

    private Parameter add(Parameter p) {
        params.add(p);
        return p;
    }

    /** Deterministic from {@code config.seed()}: same seed, same weights, on every machine. */
    private void initialize() {
        SplittableRandom rnd = new SplittableRandom(config.seed());
        int d = config.dim();
        // LM: unit-RMS final features against embedding rows of norm ≈ 1 give logits of unit scale.
        Init.gaussian(rnd, embed.data(), config.architecture() == Architecture.CELL ? 1.0 : 1.0 / Math.sqrt(d));
        if (pos != null && config.positionEncoding() == PositionEncoding.LEARNED) {
            Init.gaussian(rnd, pos.data(), 1.0);
        }
        for (Cell cell : cells) {
            CellKinds.initialize(cell, rnd.nextLong(), config.clip(), config.retention());
        }
        for (Layer layer : layers) {
            layer.initialize(rnd);
        }
        head.initialize(rnd);
    }

    public ModelConfig config() {
        return config;
    }

    public List<Parameter> parameters() {
        return Collections.unmodifiableList(params);
    }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : params) {
            n += p.value().size();
        }
        return n;
    }

    /**
     * The solver (backend and mode) every cell of the model runs through; the step runs on its backend's ops,
     * where the parameters are placed (the cells' own stay in Java arrays, where the solvers read them).
     */
    public LanguageModel solver(RnnSolver s) {
        this.solver = s;
        this.ops = s.backend().ops();
        embed.place(ops);
        if (pos != null) {
            pos.place(ops);
        }
        for (Parameter p : head.parameters()) {
            p.place(ops);
        }
        for (Layer l : layers) {
            l.solver(s);
        }
        return this;
    }

    /** The device's parameter values and gradients into their Java arrays (before a checkpoint or a check). */
    public void pullParameters() {
        for (Parameter p : params) {
            p.pull();
        }
    }

    /** The Java arrays' parameter values onto the device (after loading a checkpoint into them). */
    public void pushParameters() {
        for (Parameter p : params) {
            p.push();
        }
    }

    public RnnSolver solver() {
        return solver;
    }

    /** Applies the configured bound to every cell's {@code A} and {@code C}; call after each update. */
    public void clipRecurrent() {
        for (Layer l : layers) {
            l.clipRecurrent(config.clip());
        }
    }

    /** Where the cells' solves run and why (the first layer with a cell says it for all: they share a backend and mode). */
    public String solvePlacement() {
        for (Layer l : layers) {
            if (l.solvePlacement() != null) {
                return l.solvePlacement();
            }
        }
        return "no cells";
    }

    public void zeroGradients() {
        for (Parameter p : params) {
            p.ops().fill(p.gradArray(), 0f);
        }
    }

    /** What the cell solves of the last forward pass did (sequential or Newton, and its iterations). */
    public SolveActivity lastSolves() {
        return lastSolves;
    }

    /**
     * {@code [B][T]} arg-max predictions of the last forward pass with targets (the array is reused: valid until the
     * next one).
     */
    public int[] predictions() {
        return predictions;
    }

    /** {@code [B][T][V]} logits of the last forward pass (valid until the next one; copied from a device on request). */
    public float[] logits() {
        if (!logitsHostCurrent) {
            logitsHost = HostBridge.down(ops, logits, logitsHost != null && logitsHost.length == logits.length()
                    ? logitsHost : new float[Math.toIntExact(logits.length())], Math.toIntExact(logits.length()));
            logitsHostCurrent = true;
        }
        return logitsHost;
    }

    private void ensure(int rows) {
        if (!buffers.resize(ops, rows)) {
            return;
        }
        int d = config.dim();
        x = buffers.floats("x", (long) rows * d);
        logits = buffers.floats("logits", (long) rows * config.vocab());
        dx = buffers.floats("dx", (long) rows * d);
        tokensArray = buffers.ints("tokens", rows);
        targetsArray = buffers.ints("targets", rows);
        predictionsArray = buffers.ints("predictions", rows);
        predictions = new int[rows];
    }

    /** One state per layer for {@link #forward(int[], int, int, List)}, from the zero state. */
    public List<LayerState> newState(int batch) {
        List<LayerState> states = new ArrayList<>();
        for (Layer l : layers) {
            states.add(l.newState(batch));
        }
        return states;
    }

    /**
     * Forward over {@code tokens [B][T]} and the loss against {@code targets [B][T]} (−1: ignored),
     * keeping what {@link #backward()} needs.
     */
    public Loss forward(int[] tokens, int[] targets, int batch, int steps) {
        forward(tokens, batch, steps, null);
        if (targets.length != batch * steps) {
            throw new IllegalArgumentException("targets: expected " + batch * steps + " values, got " + targets.length);
        }
        lastTargets = targets;
        return loss(targets, batch, steps);
    }

    /**
     * Forward over the next piece of a sequence, continuing from {@code states} (updated in place) when
     * non-null; fills {@link #logits()}.
     */
    public void forward(int[] tokens, int batch, int steps, List<LayerState> states) {
        if (solver == null) {
            throw new IllegalStateException("no solver set: call solver(RnnSolver) first");
        }
        if (tokens.length != batch * steps) {
            throw new IllegalArgumentException("tokens: expected [" + batch + "][" + steps + "] = " + batch * steps
                    + " values, got " + tokens.length);
        }
        if (pos != null && steps > config.positions()) {
            throw new IllegalArgumentException("sequence of " + steps + " steps is longer than the model's "
                    + config.positions() + " positions");
        }
        int rows = batch * steps;
        int d = config.dim();
        int v = config.vocab();
        ensure(rows);
        ops.uploadInts(tokens, 0, tokensArray, 0, rows);
        ops.embedding(tokensArray, steps, embed.valueArray(), pos == null ? null : pos.valueArray(), Matrix.of(x, rows, d));
        lastTargets = null;
        lastBatch = batch;
        lastSteps = steps;
        SolveActivity solves = SolveActivity.NONE;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            l.forward(x, batch, steps, states == null ? LayerState.NONE : states.get(i));
            if (l.lastSolve() != null) {
                solves = solves.plus(SolveActivity.of(l.lastSolve()));
            }
        }
        lastSolves = solves;
        head.forward(ops, x, logits, rows);
        logitsHostCurrent = false;
    }

    /**
     * The loss from the backend's fused cross-entropy; accuracy and exact match from its arg-max
     * predictions. A target outside the vocabulary is refused before the loss is formed.
     */
    private Loss loss(int[] targets, int batch, int steps) {
        int rows = batch * steps;
        int v = config.vocab();
        ops.uploadInts(targets, 0, targetsArray, 0, rows);
        Ops.CrossEntropySums sums = ops.crossEntropy(Matrix.of(logits, rows, v), targetsArray, predictionsArray);
        ops.downloadInts(predictionsArray, 0, predictions, 0, rows);
        int correct = 0;
        int sequences = 0;
        int exact = 0;
        for (int b = 0; b < batch; b++) {
            boolean any = false;
            boolean all = true;
            for (int t = 0; t < steps; t++) {
                int r = b * steps + t;
                if (targets[r] < 0) {
                    continue;
                }
                any = true;
                if (predictions[r] == targets[r]) {
                    correct++;
                } else {
                    all = false;
                }
            }
            if (any) {
                sequences++;
                if (all) {
                    exact++;
                }
            }
        }
        int counted = sums.counted();
        if (counted == 0) {
            return new Loss(0, 0, 0, 0, 0, 0);
        }
        double meanCe = sums.crossEntropy() / counted;
        return new Loss(meanCe + config.zLoss() * sums.logSumExpSquares() / counted, meanCe, counted, correct, sequences, exact);
    }

    /** Adds the gradient of the last forward's loss into every parameter's accumulator. */
    public void backward() {
        if (lastTargets == null) {
            throw new IllegalStateException("backward needs a forward pass with targets first");
        }
        int batch = lastBatch;
        int steps = lastSteps;
        int rows = batch * steps;
        int d = config.dim();
        int v = config.vocab();
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            if (lastTargets[r] >= 0) {
                counted++;
            }
        }
        // logits become ∂L/∂logits in place.
        Matrix lg = Matrix.of(logits, rows, v);
        ops.crossEntropyBackward(lg, targetsArray, config.zLoss(), counted, lg);
        logitsHostCurrent = false;
        head.backward(ops, logits, dx, rows);
        for (int i = layers.size() - 1; i >= 0; i--) {
            layers.get(i).backward(dx, batch, steps);
        }
        boolean trainedPositions = pos != null && config.positionEncoding() == PositionEncoding.LEARNED;
        ops.embeddingBackward(tokensArray, steps, Matrix.of(dx, rows, d), embed.gradArray(), trainedPositions ? pos.gradArray() : null);
        lastTargets = null;
    }
}
