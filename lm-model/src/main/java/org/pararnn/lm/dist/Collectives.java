package org.pararnn.lm.dist;

import java.util.Map;

/** Finds out whether this process is one rank of an {@code mpirun} job and, if so, joins it through MPI. */
public final class Collectives {
    private Collectives() {
    }

    /**
     * {@link Collective#SINGLE} unless the launcher's environment says this is one of several ranks (Open MPI's
     * {@code OMPI_COMM_WORLD_SIZE}); then MPI, initialised once for the process.
     */
    public static synchronized Collective fromEnvironment(Map<String, String> env) {
        int size = worldSize(env);
        if (size <= 1) {
            return Collective.SINGLE;
        }
        if (joined == null) {
            joined = MpiLibrary.join();
            if (joined.size() != size) {
                throw new IllegalStateException("mpirun announced " + size + " ranks but MPI_COMM_WORLD has " + joined.size());
            }
        }
        return joined;
    }

    private static Collective joined;

    /**
     * Refuses, on every rank, a run whose ranks were not given the same run: {@code mine} (this rank's description of
     * what it will train: model, optimiser, data, options) is compared with rank 0's, and the verdict shared.
     */
    public static void requireSameRun(Collective world, String mine) {
        if (world.size() == 1) {
            return;
        }
        String root = new String(world.broadcast(mine.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                java.nio.charset.StandardCharsets.UTF_8);
        double[] differ = {root.equals(mine) ? 0 : 1};
        String detail = null;
        if (!root.equals(mine)) {
            int i = 0;
            while (i < Math.min(root.length(), mine.length()) && root.charAt(i) == mine.charAt(i)) {
                i++;
            }
            int from = Math.max(0, i - 40);
            detail = "rank " + world.rank() + " was given another run than rank 0 (every rank needs the same options): here '…"
                    + mine.substring(from, Math.min(mine.length(), i + 40)) + "…', rank 0 '…"
                    + root.substring(from, Math.min(root.length(), i + 40)) + "…'";
            // Said before the verdict is shared: once rank 0 has it, it exits and mpirun may stop this rank at once.
            System.err.println("error: " + detail);
            System.err.flush();
        }
        world.sum(differ);
        if (differ[0] == 0) {
            return;
        }
        if (detail != null) {
            throw new IllegalArgumentException("rank " + world.rank() + " was given another run than rank 0 (said above)");
        }
        throw new IllegalArgumentException((int) differ[0] + " rank(s) were given other options than rank 0; every rank of an "
                + "mpirun job needs the same ./pararnn train options (see their errors)");
    }

    static int worldSize(Map<String, String> env) {
        String v = env.get("OMPI_COMM_WORLD_SIZE");
        if (v == null) {
            if (env.get("PMI_SIZE") != null && Integer.parseInt(env.get("PMI_SIZE").trim()) > 1) {
                throw new IllegalStateException("this process was started by an MPI launcher other than Open MPI's (PMI_SIZE="
                        + env.get("PMI_SIZE") + "); ParaRNN-J binds Open MPI's C library (its handles are Open MPI's): launch with Open MPI's mpirun");
            }
            return 1;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("OMPI_COMM_WORLD_SIZE is not a number: '" + v + "'");
        }
    }
}
