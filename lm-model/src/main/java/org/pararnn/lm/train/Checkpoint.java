package org.pararnn.lm.train;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.pararnn.api.Tensor;
import org.pararnn.api.io.AtomicFiles;
import org.pararnn.api.io.Json;
import org.pararnn.api.io.SafeTensors;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.nn.Parameter;

/**
 * A run's checkpoints: {@code RUN/checkpoints/step-NNNNNNN/} holding {@code model.safetensors} (weights,
 * cells named as the reference: {@code layers.L.rnn.cell.A} …), {@code optimizer.safetensors} (AdamW
 * moments) and {@code state.json} (configs, step, optimiser count, data RNG, data source), plus the file
 * {@code RUN/checkpoints/latest} naming the newest complete one.
 *
 * <p>A checkpoint is built in a temporary directory, every file synced, then renamed into place in one
 * step, and only then does {@code latest} (itself replaced atomically) point at it: a crash at any moment
 * leaves the previous checkpoint intact and named. The two newest are kept.
 */
public final class Checkpoint {
    public static final String FORMAT = "pararnn-lm-checkpoint";
    private static final int KEEP = 2;

    /** What a checkpoint holds besides tensors. */
    public record State(ModelConfig model, TrainConfig train, Map<String, Object> data, int step, long adamUpdates,
                        long rngState, Map<String, Object> extra) {
    }

    private Checkpoint() {
    }

    public static Path directory(Path run) {
        return run.resolve("checkpoints");
    }

    /** Writes a checkpoint of {@code model} (and {@code optimizer}, when non-null) at {@code state.step()}. */
    public static Path save(Path run, LanguageModel model, AdamW optimizer, State state) throws IOException {
        model.pullParameters();
        if (optimizer != null) {
            optimizer.pull();
        }
        Path dir = directory(run);
        Files.createDirectories(dir);
        String name = String.format("step-%07d", state.step());
        Path tmp = AtomicFiles.createTempDirectory(dir, name);
        try {
            SafeTensors.write(tmp.resolve("model.safetensors"), namedWeights(model), Map.of("format", FORMAT));
            if (optimizer != null) {
                SafeTensors.write(tmp.resolve("optimizer.safetensors"), optimizer.state(), Map.of("format", FORMAT));
            }
            AtomicFiles.writeString(tmp.resolve("state.json"), Json.write(toJson(state)) + "\n");
            Path target = dir.resolve(name);
            if (Files.exists(target)) {
                deleteTree(target);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            AtomicFiles.writeString(dir.resolve("latest"), name + "\n");
            prune(dir, name);
            return target;
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    static List<Tensor> namedWeights(LanguageModel model) {
        List<Tensor> out = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            out.add(p.named());
        }
        return out;
    }

    private static Map<String, Object> toJson(State s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("version", 1);
        m.put("step", s.step());
        m.put("adam_updates", s.adamUpdates());
        m.put("rng_state", s.rngState());
        m.put("model", s.model().toJson());
        m.put("train", s.train() == null ? null : s.train().toJson());
        m.put("data", s.data());
        m.put("extra", s.extra());
        return m;
    }

    /**
     * Resolves {@code path} to one checkpoint directory: a run directory (its latest checkpoint), a
     * {@code checkpoints} directory, or a checkpoint itself.
     */
    public static Path resolve(Path path) throws IOException {
        if (Files.isRegularFile(path.resolve("state.json"))) {
            return path;
        }
        for (Path dir : List.of(path.resolve("checkpoints"), path)) {
            Path latest = dir.resolve("latest");
            if (Files.isRegularFile(latest)) {
                Path ck = dir.resolve(Files.readString(latest).trim());
                if (!Files.isRegularFile(ck.resolve("state.json"))) {
                    throw new IOException(latest + " names " + ck + ", which is not a complete checkpoint");
                }
                return ck;
            }
        }
        throw new IllegalArgumentException(path + " holds no checkpoint (expected a run directory with "
                + "checkpoints/latest, or a directory with state.json)");
    }

    @SuppressWarnings("unchecked")
    public static State readState(Path checkpoint) throws IOException {
        Object parsed = Json.parse(Files.readString(checkpoint.resolve("state.json")));
        if (!(parsed instanceof Map<?, ?> raw) || !FORMAT.equals(raw.get("format"))) {
            throw new IOException(checkpoint.resolve("state.json") + " is not a " + FORMAT + " file");
        }
        Map<String, Object> m = (Map<String, Object>) raw;
        ModelConfig model = ModelConfig.fromJson((Map<String, Object>) m.get("model"));
        TrainConfig train = m.get("train") == null ? null : TrainConfig.fromJson((Map<String, Object>) m.get("train"));
        return new State(model, train, (Map<String, Object>) m.get("data"), ((Number) m.get("step")).intValue(),
                ((Number) m.get("adam_updates")).longValue(), ((Number) m.get("rng_state")).longValue(),
                m.get("extra") == null ? Map.of() : (Map<String, Object>) m.get("extra"));
    }

    /** Loads the weights into {@code model} (shapes checked, every tensor named on mismatch). */
    public static void loadWeights(Path checkpoint, LanguageModel model) throws IOException {
        SafeTensors.loadInto(checkpoint.resolve("model.safetensors"), namedWeights(model));
        model.pushParameters();
    }

    public static void loadOptimizer(Path checkpoint, AdamW optimizer) throws IOException {
        SafeTensors.loadInto(checkpoint.resolve("optimizer.safetensors"), optimizer.state());
        optimizer.push();
    }

    private static void prune(Path dir, String keepNewest) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.list(dir)) {
            all = s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("step-"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        for (int i = 0; i < all.size() - KEEP; i++) {
            if (!all.get(i).getFileName().toString().equals(keepNewest)) {
                deleteTree(all.get(i));
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
