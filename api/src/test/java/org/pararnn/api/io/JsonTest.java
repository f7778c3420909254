package org.pararnn.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void roundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a \"q\" \\ \n é");
        m.put("i", 12345678901L);
        m.put("d", 0.1);
        m.put("l", List.of(1L, 2.5, true, false));
        m.put("n", null);
        m.put("o", Map.of("k", "v"));
        String text = Json.write(m);
        assertEquals(m, Json.parse(text));
        assertEquals(Map.of("a", List.of()), Json.parse(" { \"a\" : [ ] } "));
        assertEquals("\u00e9", Json.parse("\"\\u00e9\""));
    }

    @Test
    void malformedInputNamesTheOffset() {
        assertEquals("malformed JSON at offset 5: expected ':'",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\" 1}")).getMessage());
        assertEquals("malformed JSON at offset 3: unexpected trailing characters",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x")).getMessage());
        assertEquals("malformed JSON at offset 7: duplicate key \"a\"",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1,\"a\":2}")).getMessage());
    }
}
