package org.pararnn.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's Java examples, so the documentation cannot drift from the API. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void readmeExampleCompilesAndRuns() throws Exception {
        List<String> lines = compileAndRun("Example");
        assertTrue(lines.get(0).startsWith("mode=PARALLEL") && lines.get(0).contains("converged=true"), lines.toString());
        assertTrue(lines.get(1).startsWith("dL/dA[0] = "), lines.toString());
        assertTrue(Float.isFinite(Float.parseFloat(lines.get(1).substring("dL/dA[0] = ".length()))), lines.toString());
    }

    @Test
    void readmeCellLanguageExampleCompilesAndRuns() throws Exception {
        List<String> lines = compileAndRun("CellExample");
        assertTrue(lines.get(0).contains("diagonal"), lines.toString());
        assertTrue(lines.get(1).startsWith("CellCheck of my.gatedtanh") && lines.get(1).contains("all agree"), lines.toString());
        assertTrue(lines.get(2).startsWith("mode=PARALLEL") && lines.get(2).contains("converged=true"), lines.toString());
    }

    /** Compiles the README's {@code <!-- example: name -->} block and runs its main, returning what it printed. */
    private List<String> compileAndRun(String className) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("<!-- example: " + className + " -->\\s*```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README.md has no '<!-- example: " + className + " -->' java block");
        Path source = dir.resolve(className + ".java");
        Files.writeString(source, m.group(1));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classpath = System.getProperty("java.class.path");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-cp", classpath, "-d", dir.toString(), source.toString());
        assertEquals(0, rc, "README example " + className + " does not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Method main = loader.loadClass(className).getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(saved);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
