package org.pararnn.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's "Use it from Maven", done as a user would: a separate Maven project whose dependencies are README's block,
 * resolved from a local repository into which this build's artifacts are installed (jar, pom, sources, javadoc: what
 * {@code mvn install} puts there) and third-party jars come from this build's own repository; README's Java example
 * compiled by that project and run with README's JVM flags. It fails if a coordinate, a transitive dependency, a flag
 * or the example drifts; it skips, saying so, where Maven is not on the PATH.
 */
class MavenUsageTest {
    /** The modules a user of README's block gets, with the parent whose pom theirs inherit. */
    private static final List<String> INSTALLED = List.of("api", "cells-gru-lstm", "backend-cpu");
    /** The JVM flags README gives, as the shell passes them. */
    static final List<String> FLAGS = List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Djava.util.logging.SimpleFormatter.format=%4$s: %5$s%6$s%n");

    @TempDir
    Path tmp;

    @Test
    void theReadmesMavenSnippetBuildsAndRunsAgainstTheInstalledArtifacts() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String readme = Files.readString(root.resolve("README.md"));
        String version = version();
        Path mvn = onPath("mvn");
        assumeTrue(mvn != null, "Maven (mvn) is not on the PATH: the project built from README's Maven section needs it");
        String userRepo = System.getProperty("pararnn.maven.repository", Path.of(System.getProperty("user.home"), ".m2",
                "repository").toString());
        assumeTrue(Files.isDirectory(Path.of(userRepo)), "no Maven repository at " + userRepo);

        String dependencies = block(readme, "<!-- maven: dependencies -->", "xml");
        assertTrue(dependencies.contains("<version>" + version + "</version>"),
                "README's coordinates name this build's version " + version + ":\n" + dependencies);
        assertTrue(readme.contains("java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \\")
                && readme.contains("'" + FLAGS.get(3) + "'"), "README gives the JVM flags this test runs with");

        // What `mvn install` puts in a repository, for the modules README's block reaches.
        Path repo = tmp.resolve("repository");
        install(root.resolve("pom.xml"), null, repo, "pararnn-parent", version);
        for (String module : INSTALLED) {
            Path target = root.resolve(module).resolve("target");
            Path jar = target.resolve(module + "-" + version + ".jar");
            assumeTrue(Files.isRegularFile(jar), module + " is not packaged (" + jar + "): run the whole build (mvn verify)");
            install(root.resolve(module).resolve("pom.xml"), jar, repo, module, version);
            for (String kind : List.of("sources", "javadoc")) {
                Path attached = target.resolve(module + "-" + version + "-" + kind + ".jar");
                assertTrue(Files.isRegularFile(attached), "the build attaches " + attached.getFileName());
                try (ZipFile z = new ZipFile(attached.toFile())) {
                    String expected = kind.equals("sources") ? ".java" : "index.html";
                    assertTrue(z.stream().anyMatch(e -> e.getName().endsWith(expected)), attached + " holds " + expected);
                }
                Files.copy(attached, repo.resolve("org/pararnn").resolve(module).resolve(version).resolve(attached.getFileName()));
            }
        }

        Path project = tmp.resolve("user-project");
        Path sources = project.resolve("src/main/java");
        Files.createDirectories(sources);
        Files.writeString(project.resolve("pom.xml"), userPom(dependencies, Files.readString(root.resolve("pom.xml"))));
        Files.writeString(sources.resolve("Example.java"), block(readme, "<!-- example: Example -->", "java"));
        Path settings = tmp.resolve("settings.xml");
        // Everything else (plugins, third-party jars) from this build's repository, read as a remote one: no network.
        Files.writeString(settings, """
                <settings>
                  <mirrors>
                    <mirror>
                      <id>this-build</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """.formatted(Path.of(userRepo).toUri()));
        Path classpath = tmp.resolve("classpath.txt");
        Ran build = run(project, List.of(mvn.toString(), "-B", "-q", "-s", settings.toString(), "-Dmaven.repo.local=" + repo,
                "-Dstyle.color=never", "compile", "dependency:build-classpath", "-DincludeScope=runtime",
                "-Dmdep.outputFile=" + classpath));
        assertEquals(0, build.code(), "the user's project builds:\n" + build.output());

        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        java.addAll(FLAGS);
        java.addAll(List.of("-cp", project.resolve("target/classes") + File.pathSeparator + Files.readString(classpath).trim(),
                "Example"));
        Ran example = run(project, java);
        assertEquals(0, example.code(), example.output());
        List<String> lines = example.output().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("INFO: Using backend 'cpu' (priority 100)")),
                "backend-cpu found at run time, logged in one line: " + example.output());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("mode=PARALLEL") && l.contains("converged=true")), example.output());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("dL/dA[0] = ")), example.output());
        assertFalse(example.output().contains("SelectionLog"), example.output());
    }

    /** This build's version, as the application reports it. */
    private static String version() throws IOException {
        try (InputStream in = MavenUsageTest.class.getResourceAsStream("/org/pararnn/lm/cli/version.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }

    /** Copies a pom (and its jar) where Maven's local repository layout puts them. */
    private static void install(Path pom, Path jar, Path repo, String artifact, String version) throws IOException {
        Path dir = repo.resolve("org/pararnn").resolve(artifact).resolve(version);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifact + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A user's pom: README's dependencies, Java 21, and the plugin versions this build uses (so they resolve offline). */
    private static String userPom(String dependencies, String parentPom) {
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>uses-pararnn</artifactId>
                  <version>1.0</version>
                  <properties>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <maven.compiler.release>21</maven.compiler.release>
                  </properties>
                  %s
                  <build>
                    <plugins>
                      <plugin><artifactId>maven-resources-plugin</artifactId><version>%s</version></plugin>
                      <plugin><artifactId>maven-compiler-plugin</artifactId><version>%s</version></plugin>
                      <plugin><artifactId>maven-dependency-plugin</artifactId><version>%s</version></plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(dependencies, property(parentPom, "resources.plugin.version"),
                property(parentPom, "compiler.plugin.version"), property(parentPom, "dependency.plugin.version"));
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertTrue(m.find(), name + " in the parent pom");
        return m.group(1);
    }

    /** The fenced block of {@code language} after {@code marker} in README. */
    static String block(String readme, String marker, String language) {
        Matcher m = Pattern.compile(Pattern.quote(marker) + "\\s*```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README.md has no " + language + " block after " + marker);
        return m.group(1);
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    record Ran(int code, String output) {
    }

    private static Ran run(Path dir, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("MAVEN_ARGS");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finished: " + command);
        return new Ran(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
