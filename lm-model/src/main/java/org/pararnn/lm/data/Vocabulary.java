package org.pararnn.lm.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Maps text to token ids: {@code byte} (UTF-8 bytes, 256 ids, any text) or {@code char} (the distinct
 * code points of the training corpus, sorted, so the ids are the same on every machine).
 */
public final class Vocabulary {
    public enum Kind { BYTE, CHAR }

    private final Kind kind;
    private final int[] codePoints;
    private final Map<Integer, Integer> index = new LinkedHashMap<>();

    private Vocabulary(Kind kind, int[] codePoints) {
        this.kind = kind;
        this.codePoints = codePoints;
        if (codePoints != null) {
            for (int i = 0; i < codePoints.length; i++) {
                index.put(codePoints[i], i);
            }
        }
    }

    public static Vocabulary bytes() {
        return new Vocabulary(Kind.BYTE, null);
    }

    public static Vocabulary charactersOf(String text) {
        TreeSet<Integer> set = new TreeSet<>();
        text.codePoints().forEach(set::add);
        if (set.isEmpty()) {
            throw new IllegalArgumentException("cannot build a character vocabulary from empty text");
        }
        return new Vocabulary(Kind.CHAR, set.stream().mapToInt(Integer::intValue).toArray());
    }

    public Kind kind() {
        return kind;
    }

    public int size() {
        return kind == Kind.BYTE ? 256 : codePoints.length;
    }

    /** Token ids of {@code text}; a character outside a character vocabulary is an error naming it. */
    public int[] encode(String text) {
        if (kind == Kind.BYTE) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int[] out = new int[b.length];
            for (int i = 0; i < b.length; i++) {
                out[i] = b[i] & 0xff;
            }
            return out;
        }
        return text.codePoints().map(cp -> {
            Integer id = index.get(cp);
            if (id == null) {
                throw new IllegalArgumentException("character '" + new String(Character.toChars(cp))
                        + "' (U+" + String.format("%04X", cp) + ") is not in the model's " + size() + "-character vocabulary");
            }
            return id;
        }).toArray();
    }

    public String decode(int[] ids, int from, int to) {
        if (kind == Kind.BYTE) {
            byte[] b = new byte[to - from];
            for (int i = from; i < to; i++) {
                b[i - from] = (byte) ids[i];
            }
            return new String(b, StandardCharsets.UTF_8);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.appendCodePoint(codePoints[ids[i]]);
        }
        return sb.toString();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.name().toLowerCase());
        if (kind == Kind.CHAR) {
            List<Object> cps = new ArrayList<>();
            for (int cp : codePoints) {
                cps.add(cp);
            }
            m.put("code_points", cps);
        }
        return m;
    }

    public static Vocabulary fromJson(Map<String, Object> m) {
        Object kind = m.get("kind");
        if ("byte".equals(kind)) {
            return bytes();
        }
        if (!"char".equals(kind) || !(m.get("code_points") instanceof List<?> list)) {
            throw new IllegalArgumentException("vocabulary: expected kind 'byte' or 'char' with code_points");
        }
        int[] cps = new int[list.size()];
        for (int i = 0; i < cps.length; i++) {
            cps[i] = ((Number) list.get(i)).intValue();
        }
        return new Vocabulary(Kind.CHAR, cps);
    }

    public static Kind parseKind(String s) {
        return switch (s.toLowerCase()) {
            case "byte", "bytes" -> Kind.BYTE;
            case "char", "chars", "character" -> Kind.CHAR;
            default -> throw new IllegalArgumentException("unknown vocabulary '" + s + "'; expected byte or char");
        };
    }
}
