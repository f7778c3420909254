package org.pararnn.lm.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.pararnn.lm.tasks.SyntheticTask;
import org.pararnn.lm.tasks.TaskDataset;
import org.pararnn.lm.tasks.TaskKind;

/** Rebuilds a {@link BatchSource} from the description a checkpoint stores. */
public final class Sources {
    private Sources() {
    }

    @SuppressWarnings("unchecked")
    public static BatchSource fromDescription(Map<String, Object> d) throws IOException {
        Object kind = d.get("kind");
        if ("text".equals(kind)) {
            Vocabulary v = Vocabulary.fromJson((Map<String, Object>) d.get("vocabulary"));
            return TextCorpus.load(Path.of((String) d.get("path")), v.kind(), v, num(d, "context"),
                    ((Number) d.get("val_fraction")).doubleValue());
        }
        if ("task".equals(kind)) {
            SyntheticTask t = TaskKind.named((String) d.get("task")).fromDescription(d);
            if (d.get("dataset") instanceof Map<?, ?> set) {
                // The paper's fixed sets: regenerated exactly from their seed and sizes.
                Map<String, Object> s = (Map<String, Object>) set;
                TaskDataset sets = TaskDataset.generate(t, num(s, "train"), num(s, "validation"), num(s, "test"),
                        ((Number) s.get("seed")).longValue(), Boolean.TRUE.equals(s.get("prefix_curriculum")));
                return Boolean.TRUE.equals(s.get("relabel")) ? sets.relabelling() : sets;
            }
            return t;
        }
        throw new IllegalArgumentException("unknown data source " + d);
    }

    private static int num(Map<String, Object> d, String k) {
        if (!(d.get(k) instanceof Number n)) {
            throw new IllegalArgumentException("data description lacks '" + k + "': " + d);
        }
        return n.intValue();
    }
}
