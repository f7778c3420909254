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
    KEEP_NTH("keep-nth", new Defaults(32, Architecture.CELL, 64, 4, 1, 32, 3000, 1e-2, 50)) {
        @Override
        SyntheticTask make(int length, boolean everyStep) {
            return new KeepNth(length, Math.max(1, length / 2), 16);
        }

        @Override
        SyntheticTask rebuild(int length, Map<String, Object> d) {
            return new KeepNth(length, num(d, "n"), num(d, "symbols"));
        }
    },
    PARITY("parity", new Defaults(16, Architecture.CELL, 64, 4, 1, 32, 3000, 3e-3, 100)) {
        @Override
        SyntheticTask make(int length, boolean everyStep) {
            return new Parity(length, everyStep);
        }

        @Override
        SyntheticTask rebuild(int length, Map<String, Object> d) {
            return new Parity(length, "every".equals(d.get("supervise")));
        }

        @Override
        boolean supervisesEveryStep() {
            return true;
        }
    },
    MQAR("mqar", new Defaults(32, Architecture.LM, 64, 4, 2, 32, 3000, 3e-3, 100)) {
        @Override
        SyntheticTask make(int length, boolean everyStep) {
            return new Mqar(length, Math.max(1, Math.min(8, length / 4)), 16, 16);
        }

        @Override
        SyntheticTask rebuild(int length, Map<String, Object> d) {
            return new Mqar(length, num(d, "pairs"), num(d, "keys"), num(d, "values"));
        }
    },
    ONE_HOP("1-hop", new Defaults(32, Architecture.LM, 64, 4, 2, 32, 3000, 3e-3, 100)) {
        @Override
        SyntheticTask make(int length, boolean everyStep) {
            return new KHop(length, 1, 8);
        }

        @Override
        SyntheticTask rebuild(int length, Map<String, Object> d) {
            return new KHop(length, num(d, "hops"), num(d, "symbols"));
        }
    },
    TWO_HOP("2-hop", new Defaults(32, Architecture.LM, 64, 4, 2, 32, 3000, 3e-3, 100)) {
        @Override
        SyntheticTask make(int length, boolean everyStep) {
            return new KHop(length, 2, 8);
        }

        @Override
        SyntheticTask rebuild(int length, Map<String, Object> d) {
            return new KHop(length, num(d, "hops"), num(d, "symbols"));
        }
    };

    /**
     * What trains a task when the command line says nothing else: its length, the model ({@code arch}, {@code dim},
     * {@code heads}, {@code layers}), the batch, the steps, the peak learning rate and the evaluation interval.
     */
    public record Defaults(int length, Architecture arch, int dim, int heads, int layers, int batch, int steps,
                           double lr, int evalEvery) {
    }

    private final String id;
    private final Defaults defaults;

    TaskKind(String id, Defaults defaults) {
        this.id = id;
        this.defaults = defaults;
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
        if (everyStep && !supervisesEveryStep()) {
            throw new IllegalArgumentException("--supervise every is defined for parity only (the running parity of"
                    + " each prefix), not for " + id);
        }
        return make(length, everyStep);
    }

    /** The task a checkpoint described ({@link SyntheticTask#describe()}). */
    public SyntheticTask fromDescription(Map<String, Object> d) {
        return rebuild(num(d, "length"), d);
    }

    abstract SyntheticTask make(int length, boolean everyStep);

    abstract SyntheticTask rebuild(int length, Map<String, Object> d);

    /** Whether the task can train on a target at every step ({@code --supervise every}). */
    boolean supervisesEveryStep() {
        return false;
    }

    static int num(Map<String, Object> d, String k) {
        if (!(d.get(k) instanceof Number n)) {
            throw new IllegalArgumentException("task description lacks '" + k + "': " + d);
        }
        return n.intValue();
    }
}
