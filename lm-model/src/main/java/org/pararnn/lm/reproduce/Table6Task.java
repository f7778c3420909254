package org.pararnn.lm.reproduce;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pararnn.lm.model.Architecture;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.model.PositionEncoding;
import org.pararnn.lm.tasks.KHop;
import org.pararnn.lm.tasks.KeepNth;
import org.pararnn.lm.tasks.Mqar;
import org.pararnn.lm.tasks.Parity;
import org.pararnn.lm.tasks.SyntheticTask;

/**
 * The five tasks of the ParaRNN paper's Table 6 as it defines them (L = 100; width 64, 4 heads; the cell alone for
 * Keep-nth and Parity, one full block for MQAR and k-hop; {@code A}/{@code C} clipped to 0.9 except for Parity),
 * with the paper's numbers, and the recipe we train them with on a CPU budget (docs/design.md §2, "Table 6").
 */
public enum Table6Task {
    KEEP_NTH("keep-nth", "Keep-nth, n = 5, |V| = 128", Architecture.CELL, PositionEncoding.SINUSOIDAL, 0.9f,
            19_800, 20_000, new Recipe(1e-2, 16, Table6Task.WEIGHT_DECAY, 4f, true, false)),
    PARITY("parity", "Parity, |V| = 2", Architecture.CELL, null, Table6Task.UNCLIPPED,
            3_800, 4_000, new Recipe(3e-3, 16, Table6Task.WEIGHT_DECAY, 0f, true, false)),
    MQAR("mqar", "MQAR, κ = 2, |V| = 128", Architecture.BLOCK, null, 0.9f,
            32_700, 32_800, new Recipe(1e-2, 16, Table6Task.WEIGHT_DECAY, 4f, false, true)),
    ONE_HOP("1-hop", "1-hop, |V| = 10", Architecture.BLOCK, null, 0.9f,
            17_600, 17_700, new Recipe(3e-3, 16, Table6Task.WEIGHT_DECAY, 0f, false, false)),
    TWO_HOP("2-hop", "2-hop, |V| = 5", Architecture.BLOCK, null, 0.9f,
            17_000, 17_100, new Recipe(3e-3, 16, Table6Task.WEIGHT_DECAY, 4f, false, false));

    /** The paper's sequence length for every task. */
    public static final int LENGTH = 100;
    /** The paper's width and heads. */
    public static final int DIM = 64;
    public static final int HEADS = 4;
    /** Parity's "no clip": a bound no trained weight reaches (the configuration needs a finite one). */
    static final float UNCLIPPED = 1e6f;
    /** The paper's optimiser settings (AdamW β, weight decay) and batch. */
    public static final double PAPER_LR = 5e-4;
    public static final int PAPER_BATCH = 16;
    public static final double WEIGHT_DECAY = 1e-6;

    /**
     * What we change from the paper's recipe to learn within minutes on 2 cores.
     *
     * @param lr              peak learning rate (cosine to a tenth of it)
     * @param batch           sequences per step
     * @param weightDecay     AdamW's decoupled weight decay (the paper's 1e-6 unless a task needs more)
     * @param retention       spread of the state-keeping gate's bias at initialisation (0: the paper's init)
     * @param prefixCurriculum train each sequence on its target as a random-length prefix would have it (Parity,
     *                        Keep-nth: {@link org.pararnn.lm.tasks.TaskDataset#generate})
     * @param relabel         rename each training sequence's symbols afresh whenever it is read
     *                        ({@link org.pararnn.lm.tasks.TaskDataset#relabelling})
     */
    public record Recipe(double lr, int batch, double weightDecay, float retention, boolean prefixCurriculum,
                         boolean relabel) {
        /** This recipe with another learning rate, batch, weight decay, retention or relabelling. */
        public Recipe with(double lr, int batch, double weightDecay, float retention, boolean relabel) {
            return new Recipe(lr, batch, weightDecay, retention, prefixCurriculum, relabel);
        }
    }

    private final String id;
    private final String paperDefinition;
    private final Architecture architecture;
    private final PositionEncoding positions;
    private final float clip;
    private final int paperParamsGru;
    private final int paperParamsLstm;
    private final Recipe recipe;

    Table6Task(String id, String paperDefinition, Architecture architecture, PositionEncoding positions, float clip,
               int paperParamsGru, int paperParamsLstm, Recipe recipe) {
        this.id = id;
        this.paperDefinition = paperDefinition;
        this.architecture = architecture;
        this.positions = positions;
        this.clip = clip;
        this.paperParamsGru = paperParamsGru;
        this.paperParamsLstm = paperParamsLstm;
        this.recipe = recipe;
    }

    public String id() {
        return id;
    }

    public String paperDefinition() {
        return paperDefinition;
    }

    public Recipe recipe() {
        return recipe;
    }

    public Architecture architecture() {
        return architecture;
    }

    public boolean clipped() {
        return clip != UNCLIPPED;
    }

    /** The task exactly as the paper's table defines it (MQAR's κ read as the number of key–value pairs). */
    public SyntheticTask task() {
        return switch (this) {
            case KEEP_NTH -> new KeepNth(LENGTH, 5, 128);
            case PARITY -> new Parity(LENGTH);
            // |V| = 128 in all: 64 keys, 63 values, one noise token.
            case MQAR -> new Mqar(LENGTH, 2, 64, 63);
            case ONE_HOP -> new KHop(LENGTH, 1, 10);
            case TWO_HOP -> new KHop(LENGTH, 2, 5);
        };
    }

    /** The paper's model for this task, with {@code cell} and {@code seed} (and our recipe's retention). */
    public ModelConfig model(String cell, long seed) {
        return model(cell, seed, recipe);
    }

    /** As {@link #model(String, long)}, initialised as {@code recipe} says (its retention). */
    public ModelConfig model(String cell, long seed, Recipe recipe) {
        int vocab = task().vocab();
        int pos = positions == null ? 0 : LENGTH;
        PositionEncoding enc = positions == null ? PositionEncoding.LEARNED : positions;
        return new ModelConfig(architecture, vocab, DIM, 1, HEADS, cell, 0, 4, pos, clip, 0f, seed, recipe.retention(), enc);
    }

    /** The paper's reported parameter count for {@code cell}. */
    public int paperParameters(String cell) {
        return cell.equals("paralstm") ? paperParamsLstm : paperParamsGru;
    }

    /** The paper's accuracy (%) for both of its cells on every task. */
    public double paperAccuracy() {
        return 100.0;
    }

    public static Table6Task parse(String s) {
        for (Table6Task t : values()) {
            if (t.id.equals(s.trim().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown table6 task '" + s + "'; tasks: " + String.join(", ", ids()));
    }

    public static List<String> ids() {
        List<String> l = new ArrayList<>();
        for (Table6Task t : values()) {
            l.add(t.id);
        }
        return l;
    }
}
