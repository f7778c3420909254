package org.pararnn.lm.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.pararnn.cells.ParaCell;

/**
 * Everything that fixes a model's shape and initialisation. Written into every checkpoint, so a model
 * can be rebuilt from its directory alone.
 *
 * @param vocab     tokens in and classes out
 * @param dim       model width {@code D} (also the cells' input and state width)
 * @param layers    ParaRNN blocks (each followed by a gated MLP) for {@link Architecture#LM}; 1 for CELL and BLOCK
 * @param heads     heads of the cells' input projection
 * @param cell      {@code paragru}, {@code paralstm}, or a cell-language cell ({@code mingru}, {@code tanhrnn}, {@code gru}, …; {@link CellKinds})
 * @param mlpHidden hidden width of the gated MLP ({@code ≈ 8/3·D}, rounded up to a multiple of 8)
 * @param convKernel kernel of the causal depthwise convolution (4)
 * @param positions positions added to the embedding (CELL only; 0 for none), as {@code positionEncoding} makes them
 * @param clip      element-wise bound on the cells' {@code A} and {@code C} after each update (paper: 0.5 LM, 0.9 tasks)
 * @param zLoss     weight of the z-loss {@code (log Σ exp logits)²} (0 for none)
 * @param seed      initialisation seed
 * @param retention range of the cells' state-keeping gate bias at initialisation ({@link ParaCell#retentionBias}; 0: none)
 * @param positionEncoding how the {@code positions} are made: learned, or fixed sinusoids (no parameters)
 */
public record ModelConfig(Architecture architecture, int vocab, int dim, int layers, int heads, String cell,
                          int mlpHidden, int convKernel, int positions, float clip, float zLoss, long seed,
                          float retention, PositionEncoding positionEncoding) {

    /** With learned positions (when {@code positions > 0}). */
    public ModelConfig(Architecture architecture, int vocab, int dim, int layers, int heads, String cell,
                       int mlpHidden, int convKernel, int positions, float clip, float zLoss, long seed, float retention) {
        this(architecture, vocab, dim, layers, heads, cell, mlpHidden, convKernel, positions, clip, zLoss, seed, retention,
                PositionEncoding.LEARNED);
    }

    /** Without a retention bias (the paper's initialisation). */
    public ModelConfig(Architecture architecture, int vocab, int dim, int layers, int heads, String cell,
                       int mlpHidden, int convKernel, int positions, float clip, float zLoss, long seed) {
        this(architecture, vocab, dim, layers, heads, cell, mlpHidden, convKernel, positions, clip, zLoss, seed, 0f);
    }

    public ModelConfig {
        positive("vocab", vocab);
        positive("dim", dim);
        positive("layers", layers);
        positive("heads", heads);
        positive("convKernel", convKernel);
        CellKinds.require(cell);
        if (dim % heads != 0) {
            throw new IllegalArgumentException("--dim " + dim + " must be divisible by --heads " + heads);
        }
        if (architecture == Architecture.LM) {
            positive("mlpHidden", mlpHidden);
        } else if (layers != 1) {
            throw new IllegalArgumentException("the " + architecture.name().toLowerCase(java.util.Locale.ROOT)
                    + " architecture has exactly one layer, got " + layers);
        }
        if (positions < 0) {
            throw new IllegalArgumentException("positions must be ≥ 0, got " + positions);
        }
        if (positionEncoding == null) {
            throw new IllegalArgumentException("positionEncoding must be given (learned or sinusoidal)");
        }
        if (positions > 0 && architecture != Architecture.CELL) {
            throw new IllegalArgumentException("positions are added by the cell-only architecture alone, not " + architecture);
        }
        if (!(retention >= 0) || Float.isInfinite(retention)) {
            throw new IllegalArgumentException("--retention must be finite and >= 0, got " + retention);
        }
        if (!(clip > 0) || Float.isInfinite(clip) || !(zLoss >= 0)) {
            throw new IllegalArgumentException("clip must be finite and > 0 and zLoss ≥ 0, got " + clip + ", " + zLoss);
        }
    }

    private static void positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
    }

    /** The language model of the issue: gated MLP of {@code ≈ 8/3·D}, conv kernel 4, clip 0.5. */
    public static ModelConfig languageModel(int vocab, int dim, int layers, int heads, String cell, long seed) {
        int hidden = ((8 * dim / 3) + 7) / 8 * 8;
        return new ModelConfig(Architecture.LM, vocab, dim, layers, heads, cell, hidden, 4, 0, 0.5f, 0f, seed);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", architecture.name().toLowerCase());
        m.put("vocab", vocab);
        m.put("dim", dim);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("cell", cell);
        m.put("mlp_hidden", mlpHidden);
        m.put("conv_kernel", convKernel);
        m.put("positions", positions);
        m.put("clip", (double) clip);
        m.put("z_loss", (double) zLoss);
        m.put("seed", seed);
        m.put("retention", (double) retention);
        m.put("position_encoding", positionEncoding.name().toLowerCase(java.util.Locale.ROOT));
        return m;
    }

    public static ModelConfig fromJson(Map<String, Object> m) {
        return new ModelConfig(Architecture.parse(str(m, "architecture")), integer(m, "vocab"), integer(m, "dim"),
                integer(m, "layers"), integer(m, "heads"), str(m, "cell"), integer(m, "mlp_hidden"),
                integer(m, "conv_kernel"), integer(m, "positions"), (float) number(m, "clip"),
                (float) number(m, "z_loss"), (long) number(m, "seed"),
                m.containsKey("retention") ? (float) number(m, "retention") : 0f, // absent in older checkpoints
                m.containsKey("position_encoding") ? PositionEncoding.parse(str(m, "position_encoding")) : PositionEncoding.LEARNED);
    }

    static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("model config: '" + k + "' missing or not a string");
        }
        return s;
    }

    static double number(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("model config: '" + k + "' missing or not a number");
        }
        return n.doubleValue();
    }

    static int integer(Map<String, Object> m, String k) {
        double d = number(m, k);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("model config: '" + k + "' must be a whole number, got " + d);
        }
        return (int) d;
    }
}
