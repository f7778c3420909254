package org.pararnn.api.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pararnn.api.Tensor;

/**
 * The safetensors format (an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then raw little-endian data), so weights move between ParaRNN-J and the
 * PyTorch reference unchanged. Reads F32, F64, F16 and BF16 into float32; writes F32. Every structural
 * problem is an {@link IOException} that names the file and the tensor.
 */
public final class SafeTensors {
    /** Headers above this are refused (the format's own limit), so a corrupt length cannot exhaust memory. */
    static final long MAX_HEADER = 100L * 1024 * 1024;

    private SafeTensors() {
    }

    /** A file's tensors in float32 (in file order) and its {@code __metadata__}. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, String> dtypes) {
        /** The tensor named {@code name}, failing with a message that lists what the file has. */
        public Tensor require(String name, Path file) throws IOException {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new IOException(file + ": missing tensor '" + name + "' (file has " + tensors.keySet() + ")");
            }
            return t;
        }
    }

    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new IOException(file + ": not a safetensors file (" + size + " bytes, need at least 8)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLen = len.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new IOException(file + ": corrupt safetensors header length " + headerLen + " for a file of "
                        + size + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            Object parsed;
            try {
                parsed = Json.parse(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": corrupt safetensors header: " + e.getMessage(), e);
            }
            if (!(parsed instanceof Map<?, ?> header)) {
                throw new IOException(file + ": safetensors header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : header.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) {
                    if (e.getValue() instanceof Map<?, ?> m) {
                        m.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
                    }
                    continue;
                }
                entries.add(Entry.parse(file, name, e.getValue(), dataLen));
            }
            entries.sort((x, y) -> Long.compare(x.begin, y.begin));
            long expected = 0;
            for (Entry en : entries) {
                if (en.begin != expected) {
                    throw new IOException(file + ": tensor '" + en.name + "' starts at byte " + en.begin + " but the previous one ends at "
                            + expected + " (overlapping or gapped data)");
                }
                expected = en.end;
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> dtypes = new LinkedHashMap<>();
            for (Entry en : entries) {
                ByteBuffer raw = ByteBuffer.allocate((int) (en.end - en.begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, raw, dataStart + en.begin);
                raw.flip();
                tensors.put(en.name, new Tensor(en.name, en.shape, en.decode(raw)));
                dtypes.put(en.name, en.dtype);
            }
            return new Contents(tensors, metadata, dtypes);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        long p = at;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            p += n;
        }
    }

    private record Entry(String name, String dtype, int[] shape, long begin, long end) {
        static Entry parse(Path file, String name, Object value, long dataLen) throws IOException {
            if (!(value instanceof Map<?, ?> m)) {
                throw new IOException(file + ": tensor '" + name + "' has no header object");
            }
            Object dtype = m.get("dtype");
            Object shape = m.get("shape");
            Object offsets = m.get("data_offsets");
            if (!(dtype instanceof String dt) || !(shape instanceof List<?> sl) || !(offsets instanceof List<?> ol)
                    || ol.size() != 2) {
                throw new IOException(file + ": tensor '" + name + "' lacks dtype, shape or data_offsets");
            }
            int width = switch (dt) {
                case "F32" -> 4;
                case "F64" -> 8;
                case "F16", "BF16" -> 2;
                default -> throw new IOException(file + ": tensor '" + name + "' has dtype " + dt
                        + "; supported: F32, F64, F16, BF16");
            };
            int[] dims = new int[sl.size()];
            long count = 1;
            for (int i = 0; i < dims.length; i++) {
                if (!(sl.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                    throw new IOException(file + ": tensor '" + name + "' has a bad shape " + sl);
                }
                dims[i] = (int) (long) d;
                count *= d;
                if (count > Integer.MAX_VALUE - 8) {
                    throw new IOException(file + ": tensor '" + name + "' of shape " + sl
                            + " has more elements than one Java array can hold");
                }
            }
            if (!(ol.get(0) instanceof Long b) || !(ol.get(1) instanceof Long e) || b < 0 || e < b || e > dataLen) {
                throw new IOException(file + ": tensor '" + name + "' has data_offsets " + ol
                        + " outside the " + dataLen + " data bytes");
            }
            if (e - b != count * width) {
                throw new IOException(file + ": tensor '" + name + "' of shape " + sl + " and dtype " + dt + " needs "
                        + count * width + " bytes but data_offsets span " + (e - b));
            }
            return new Entry(name, dt, dims, b, e);
        }

        float[] decode(ByteBuffer raw) {
            int n = (int) ((end - begin) / switch (dtype) {
                case "F64" -> 8;
                case "F32" -> 4;
                default -> 2;
            });
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = switch (dtype) {
                    case "F32" -> raw.getFloat();
                    case "F64" -> (float) raw.getDouble();
                    case "F16" -> Float.float16ToFloat(raw.getShort());
                    default -> Float.intBitsToFloat((raw.getShort() & 0xffff) << 16);
                };
            }
            return out;
        }
    }

    /** Writes {@code tensors} as F32 with optional string metadata, atomically (see {@link AtomicFiles}). */
    public static void write(Path file, Collection<Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Tensor t : tensors) {
            if (header.containsKey(t.name())) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("dtype", "F32");
            h.put("shape", t.shape());
            h.put("data_offsets", new long[] {offset, offset + 4L * t.size()});
            header.put(t.name(), h);
            offset += 4L * t.size();
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            writeFully(ch, len.flip());
            writeFully(ch, ByteBuffer.wrap(head));
            for (Tensor t : tensors) {
                ByteBuffer buf = ByteBuffer.allocate(4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(t.data());
                writeFully(ch, buf);
            }
        });
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /**
     * Copies same-named tensors of a file into {@code targets} (e.g. a cell's parameters), checking each
     * shape; a missing tensor or a shape mismatch names the tensor. Extra tensors in the file are ignored.
     */
    public static void loadInto(Path file, List<Tensor> targets) throws IOException {
        Contents c = read(file);
        for (Tensor t : targets) {
            Tensor src = c.require(t.name(), file);
            if (!Arrays.equals(src.shape(), t.shape())) {
                throw new IOException(file + ": tensor '" + t.name() + "' has shape " + Arrays.toString(src.shape())
                        + " but " + Arrays.toString(t.shape()) + " is expected");
            }
        }
        for (Tensor t : targets) {
            t.copyFrom(c.tensors().get(t.name()));
        }
    }
}
