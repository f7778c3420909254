package org.pararnn.lm.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * UTF-8 text from a file, or every regular file under a directory (sorted by path, joined with a
 * newline), encoded once; the first {@code 1 − valFraction} of the tokens train, the contiguous rest
 * is held out. Batches are random windows of {@code context + 1} tokens: inputs and next-token targets.
 */
public final class TextCorpus implements BatchSource {
    private final Path source;
    private final Vocabulary vocabulary;
    private final int[] tokens;
    private final int split;
    private final int context;
    private final double valFraction;

    public TextCorpus(Path source, Vocabulary vocabulary, int[] tokens, int context, double valFraction) {
        this.source = source;
        this.vocabulary = vocabulary;
        this.tokens = tokens;
        this.context = context;
        this.valFraction = valFraction;
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + valFraction);
        }
        this.split = (int) Math.round(tokens.length * (1 - valFraction));
        if (split < context + 1 || tokens.length - split < context + 1) {
            throw new IllegalArgumentException(source + " has " + tokens.length + " tokens: too few for windows of "
                    + (context + 1) + " in both the training part and the held-out " + Math.round(valFraction * 100)
                    + " %");
        }
    }

    /** Reads {@code path}; {@code vocabulary} null means a character vocabulary built from the text. */
    public static TextCorpus load(Path path, Vocabulary.Kind kind, Vocabulary vocabulary, int context, double valFraction)
            throws IOException {
        String text = read(path);
        Vocabulary v = vocabulary != null ? vocabulary
                : kind == Vocabulary.Kind.BYTE ? Vocabulary.bytes() : Vocabulary.charactersOf(text);
        return new TextCorpus(path, v, v.encode(text), context, valFraction);
    }

    static String read(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("data path " + path + " does not exist");
        }
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(path)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException("data directory " + path + " has no files");
            }
            StringBuilder sb = new StringBuilder();
            for (Path f : files) {
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(decode(f));
            }
            return sb.toString();
        }
        return decode(path);
    }

    private static String decode(Path f) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f))).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(f + " is not valid UTF-8 text (" + e.getMessage() + ")");
        }
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public int trainTokens() {
        return split;
    }

    public int heldOutTokens() {
        return tokens.length - split;
    }

    @Override
    public int vocab() {
        return vocabulary.size();
    }

    @Override
    public int steps() {
        return context;
    }

    @Override
    public void trainBatch(Rng rng, Batch into) {
        fill(rng, into, 0, split);
    }

    @Override
    public void heldOutBatch(Rng rng, Batch into) {
        fill(rng, into, split, tokens.length);
    }

    private void fill(Rng rng, Batch into, int from, int to) {
        int t = into.steps;
        int windows = to - from - t;
        for (int b = 0; b < into.batch; b++) {
            int start = from + rng.nextInt(windows);
            System.arraycopy(tokens, start, into.tokens, b * t, t);
            System.arraycopy(tokens, start + 1, into.targets, b * t, t);
        }
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "text");
        m.put("path", source.toAbsolutePath().toString());
        m.put("context", context);
        m.put("val_fraction", valFraction);
        m.put("vocabulary", vocabulary.toJson());
        return m;
    }

    @Override
    public String render(int[] ids, int from, int to) {
        return vocabulary.decode(ids, from, to);
    }
}
