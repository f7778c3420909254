package org.pararnn.lm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The command line's options are declared once: the parser, the help and the bash completion script all come from
 * {@link CliSpec}. The build writes the script ({@code target/pararnn-completion.bash}); it must be what the
 * declarations give now, name every command, and offer each command's options, so an option added to a command
 * reaches its help and its completion without being written again.
 */
class CompletionScriptTest {

    @Test
    void theBuildWroteTheScriptOfTheDeclarationsAsTheyAreNow() throws Exception {
        Path built = Path.of("target", "pararnn-completion.bash");
        assertTrue(Files.isRegularFile(built), "the build writes " + built.toAbsolutePath());
        assertEquals(CompletionScript.bash(), Files.readString(built, StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandAndEveryDeclaredOptionIsCompletedAndHelped() {
        String script = CompletionScript.bash();
        Main main = new Main(new Startup(false, false));
        for (Command c : main.commands()) {
            assertTrue(script.contains(c.name()), c.name());
            String help = c.usage();
            assertTrue(help.startsWith("Usage: ./pararnn " + c.spec().name()), help);
            for (String option : c.spec().names()) {
                assertTrue(script.contains("--" + option), c.name() + " --" + option + " in the completion script");
                assertTrue(help.contains("--" + option), c.name() + " --" + option + " in its help:\n" + help);
            }
        }
        for (String launcher : Main.LAUNCHER_COMMANDS.keySet()) {
            assertTrue(script.contains(launcher), launcher);
        }
        assertTrue(List.copyOf(new TrainCommand().spec().names()).containsAll(List.of("steps", "lr", "overwrite", "resume")));
    }

    @Test
    void anOptionWhereAValueShouldBeIsAMissingValueNotTheValue() {
        UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> new Options(TrainCommand.SPEC, List.of("--out", "--stpes", "3")));
        assertEquals("train: option --out needs a value", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> new Options(TrainCommand.SPEC, List.of("--steps", "3", "--steps=4")));
        assertEquals("train: option --steps given twice", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> new Options(TrainCommand.SPEC, List.of("--overwrite=yes")));
        assertEquals("train: --overwrite takes no value (got 'yes')", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> new Options(TrainCommand.SPEC, List.of("stray")));
        assertEquals("train: unexpected argument 'stray'", e.getMessage());
        Options o = new Options(TrainCommand.SPEC, List.of("--steps=7", "--lr", "-0.5", "--overwrite"));
        assertEquals(7, o.getInt("steps", 1));
        assertEquals(-0.5, o.getDouble("lr", 1), 0);
        assertTrue(o.flag("overwrite"));
        assertEquals(null, o.get("out"));
    }
}
