package org.pararnn.lm.dist;

/**
 * Open MPI's C library through the Foreign Function API. This is the Java 21 class of a multi-release jar: the
 * binding itself is in {@code META-INF/versions/22} (the API is final from Java 22), so on Java 21 a run started
 * by {@code mpirun} stops here, saying so.
 */
final class MpiLibrary {
    private MpiLibrary() {
    }

    static Collective join() {
        throw new IllegalStateException("this process is one rank of an mpirun job, but binding MPI needs the Foreign Function "
                + "API of Java 22+; this JVM is " + Runtime.version() + " (run ./pararnn with a JDK 22+ as JAVA_HOME)");
    }
}
