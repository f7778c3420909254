package org.pararnn.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pararnn.api.Tensor;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripIsExactAndKeepsMetadata() throws IOException {
        Tensor a = new Tensor("A", new int[] {3, 2}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f});
        Tensor b = new Tensor("B", new int[] {2, 1, 3, 1}, new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f});
        Tensor s = new Tensor("scalar", new int[] {}, new float[] {42f});
        Path f = dir.resolve("w.safetensors");
        SafeTensors.write(f, List.of(a, b, s), Map.of("format", "pt"));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("A", "B", "scalar"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(a.data(), c.tensors().get("A").data());
        assertArrayEquals(new int[] {2, 1, 3, 1}, c.tensors().get("B").shape());
        assertEquals(42f, c.tensors().get("scalar").data()[0]);
        assertEquals("pt", c.metadata().get("format"));
        assertEquals(0, (Files.size(f) - 8 - 4 * 13) % 8, "header padded to 8 bytes");
        assertTrue(Files.list(dir).allMatch(p -> p.equals(f)), "no temp files left behind");
    }

    /** A file assembled byte by byte as another writer would, with F64, F16 and BF16 tensors. */
    @Test
    void readsOtherDtypes() throws IOException {
        String header = "{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[16,20]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[20,22]}}";
        ByteBuffer buf = ByteBuffer.allocate(8 + header.length() + 22).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        buf.putDouble(0.1).putDouble(-3.0).putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x3FC0);
        Path f = dir.resolve("x.safetensors");
        Files.write(f, buf.array());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(new float[] {0.1f, -3f}, c.tensors().get("d").data());
        assertArrayEquals(new float[] {1f, -2f}, c.tensors().get("h").data());
        assertArrayEquals(new float[] {1.5f}, c.tensors().get("bf").data());
        assertEquals("F64", c.dtypes().get("d"));
    }

    @Test
    void corruptFilesGetMessagesNamingTheProblem() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertTrue(message(f).contains("not a safetensors file"), message(f));

        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
        Files.write(f, huge.array());
        assertTrue(message(f).contains("corrupt safetensors header length"), message(f));

        writeRaw(f, "{\"A\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertTrue(message(f).contains("tensor 'A' has data_offsets [0, 16] outside the 8 data bytes"), message(f));

        writeRaw(f, "{\"A\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16);
        assertTrue(message(f).contains("tensor 'A' of shape [3] and dtype F32 needs 12 bytes"), message(f));

        writeRaw(f, "{\"A\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        assertTrue(message(f).contains("tensor 'A' has dtype I8"), message(f));

        writeRaw(f, "{\"A\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]", 4);
        assertTrue(message(f).contains("corrupt safetensors header: malformed JSON"), message(f));
    }

    @Test
    void loadIntoChecksNamesAndShapesBeforeTouchingAnything() throws IOException {
        Path f = dir.resolve("w.safetensors");
        SafeTensors.write(f, List.of(new Tensor("A", new int[] {2}, new float[] {1, 2})), Map.of());
        Tensor a = Tensor.zeros("A", 2);
        Tensor b = Tensor.zeros("B", 1);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.loadInto(f, List.of(a, b)));
        assertTrue(e.getMessage().endsWith("missing tensor 'B' (file has [A])"), e.getMessage());
        assertArrayEquals(new float[] {0, 0}, a.data(), "nothing loaded on failure");
        Tensor wrong = Tensor.zeros("A", 3);
        e = assertThrows(IOException.class, () -> SafeTensors.loadInto(f, List.of(wrong)));
        assertTrue(e.getMessage().endsWith("tensor 'A' has shape [2] but [3] is expected"), e.getMessage());
    }

    static void writeRaw(Path f, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        Files.write(f, buf.array());
    }

    static String message(Path f) {
        return assertThrows(IOException.class, () -> SafeTensors.read(f)).getMessage();
    }
}
