package org.pararnn.lm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint of a cell from the user's own jar, read where that jar is missing: the error says how to add it. */
class CustomCellCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void evalOfACheckpointWhoseCellIsNotOnTheClassPathNamesPararnnClasspath() throws Exception {
        Path run = dir.resolve("run");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream sink = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(0, new Main().run(TrainingRunTest.args(run), sink, sink), () -> out.toString(StandardCharsets.UTF_8));
        // As if trained with a provider's cell whose jar this JVM lacks.
        Path state = run.resolve("checkpoints/step-0000008/state.json");
        Files.writeString(state, Files.readString(state).replace("\"cell\":\"paragru\"", "\"cell\":\"my.lab.cell\""));
        for (List<String> command : List.of(List.of("eval", "--checkpoint", run.toString()),
                List.of("generate", "--checkpoint", run.toString(), "--prompt", "a"))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = new Main().run(command, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String e = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, e);
            assertTrue(e.contains("unknown cell 'my.lab.cell'") && e.contains("PARARNN_CLASSPATH=path/to/your-cells.jar"), e);
        }
    }
}
