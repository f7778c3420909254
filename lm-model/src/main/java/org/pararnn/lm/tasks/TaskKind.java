package org.pararnn.lm.tasks;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pararnn.lm.model.Architecture;

/**
 * Every synthetic task by the name {@code --task} takes, in one place: how the command line defines it at a length,
 * how a checkpoint's description rebuilds it, and the model and schedule that train it in minutes on 2 cores
 * ({@link Defaults}; README, "Where the defaults come from"). The command line, the data layer and the checkpoints
 * find tasks here instead of each switching on the names.
 */
public enum TaskKind {
    KEEP_NTH("keep-nth", new Defaults(32, Architecture.CELL, 64, 4, 1, 32, 3000, 1e-2, 50), false,
            (length, every) -> new KeepNth(length, Math.max(1, length / 2), 16),
            (length, d) -> new KeepNth(length, num(d, "n"), num(d, "symbols"))),
    PARITY("parity", new Defaults(16, Architecture.CELL, 64, 4, 1, 32, 3000, 3e-3, 100), true,
            Parity::new,
            (length, d) -> new Parity(length, "every".equals(d.get("supervise")))),
    MQAR("mqar", new Defaults(32, Architecture.LM, 64, 4, 2, 32, 3000, 3e-3, 100), false,
            (length, every) -> new Mqar(length, Math.max(1, Math.min(8, length / 4)), 16, 16),
            (length, d) -> new Mqar(length, num(d, "pairs"), num(d, "keys"), num(d, "values"))),
    ONE_HOP("1-hop", new Defaults(32, Architecture.LM, 64, 4, 2, 32, 3000, 3e-3, 100), false,
            (length, every) -> new KHop(length, 1, 8), TaskKind::kHop),
    TWO_HOP("2-hop", new Defaults(32, Architecture.LM, 64, 4, 2, 32, 3000, 3e-3, 100), false,
            (length, every) -> new KHop(length, 2, 8), TaskKind::kHop);

    /** The task at a length, as the command line defines it ({@code everyStep}: a target at every step). */
    @FunctionalInterface
    private interface Maker {
        SyntheticTask make(int length, boolean everyStep);
    }

    /** The task at a length, from the rest of a checkpoint's description. */
    @FunctionalInterface
    private interface Rebuilder {
        SyntheticTask rebuild(int length, Map<String, Object> description);
    }

    /**
     * What trains a task when the command line says nothing else: its length, the model ({@code arch}, {@code dim},
     * {@code heads}, {@code layers}), the batch, the steps, the peak learning rate and the evaluation interval.
     */
    public record Defaults(int length, Architecture arch, int dim, int heads, int layers, int batch, int steps,
                           double lr, int evalEvery) {
    }

    private final String id;
    private final Defaults defaults;
    private final boolean everyStep;
    private final Maker maker;
    private final Rebuilder rebuilder;

    TaskKind(String id, Defaults defaults, boolean everyStep, Maker maker, Rebuilder rebuilder) {
        this.id = id;
        this.defaults = defaults;
        this.everyStep = everyStep;
        this.maker = maker;
        this.rebuilder = rebuilder;
    }

    /** The name {@code --task} takes. */
    public String id() {
        return id;
    }

    public Defaults defaults() {
        return defaults;
    }

    /** Every name, in the order the help lists them. */
    public static List<String> names() {
        return Arrays.stream(values()).map(TaskKind::id).toList();
    }

    /** The task named {@code id}, if there is one. */
    public static Optional<TaskKind> find(String id) {
        return Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst();
    }

    /** The task named {@code id}; an unknown name is refused naming every task. */
    public static TaskKind named(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("unknown task '" + id + "'; tasks: "
                + String.join(", ", names())));
    }

    /**
     * The task at {@code length} as the command line defines it, nothing sampled yet; {@code everyStep} (a target at
     * every step) is refused for a task that has none to give.
     */
    public SyntheticTask define(int length, boolean everyStep) {
        if (everyStep && !this.everyStep) {
            throw new IllegalArgumentException("--supervise every is defined for parity only (the running parity of"
                    + " each prefix), not for " + id);
        }
        return maker.make(length, everyStep);
    }

    /** The task a checkpoint described ({@link SyntheticTask#describe()}). */
    public SyntheticTask fromDescription(Map<String, Object> d) {
        return rebuilder.rebuild(num(d, "length"), d);
    }

    private static SyntheticTask kHop(int length, Map<String, Object> d) {
        return new KHop(length, num(d, "hops"), num(d, "symbols"));
    }

    static int num(Map<String, Object> d, String k) {
        if (!(d.get(k) instanceof Number n)) {
            throw new IllegalArgumentException("task description lacks '" + k + "': " + d);
        }
        return n.intValue();
    }
}
