package org.pararnn.backend.cuda;

import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.BackendProvider;

/**
 * The command line shared by the timing mains ({@link ScanTiming}, {@link FusedTiming}):
 * {@code [--backend cuda|cuda-emulated] [--max-element-steps N] [--quick]}. An unavailable backend ends
 * the program with the probe's reason (exit status 1), which is what the GPU script's first step reads.
 */
record TimingOptions(BackendProvider provider, String backend, long maxElementSteps, boolean quick) {

    /** {@link #parse}, or the problem in one line on standard error and exit status 2 (a usage error). */
    static TimingOptions parseOrExit(String[] args, long defaultMaxElementSteps) {
        try {
            return parse(args, defaultMaxElementSteps);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            System.err.println("error: " + usageError(e));
            System.exit(2);
            return null;
        }
    }

    /** A usage error in words: a bad number names the value, a missing value says so. */
    static String usageError(RuntimeException e) {
        if (e instanceof NumberFormatException n) {
            return "not a whole number: " + n.getMessage().replace("For input string: ", "");
        }
        if (e instanceof ArrayIndexOutOfBoundsException) {
            return "the last option needs a value";
        }
        return e.getMessage();
    }

    static TimingOptions parse(String[] args, long defaultMaxElementSteps) {
        String backend = "cuda";
        long maxElementSteps = defaultMaxElementSteps;
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> backend = args[++i];
                case "--max-element-steps" -> maxElementSteps = Long.parseLong(args[++i]);
                case "--quick" -> quick = true;
                default -> throw new IllegalArgumentException("unknown option '" + args[i]
                        + "'; options: --backend cuda|cuda-emulated, --max-element-steps N, --quick");
            }
        }
        BackendProvider provider = switch (backend) {
            case "cuda" -> new CudaBackendProvider();
            case "cuda-emulated" -> new CudaEmulatedBackendProvider();
            default -> throw new IllegalArgumentException("--backend must be cuda or cuda-emulated, got '" + backend + "'");
        };
        return new TimingOptions(provider, backend, maxElementSteps, quick);
    }

    /** The backend, made; or the probe's reason on standard error and exit status 1. */
    CudaBackend open() {
        org.pararnn.api.spi.BackendOptions options = org.pararnn.api.spi.BackendOptions.fromSystem();
        org.pararnn.api.spi.Probe probe = provider.probe(options);
        if (!probe.available()) {
            System.err.println("error: backend '" + backend + "' is unavailable: " + probe.reason());
            System.exit(1);
        }
        Backend b = provider.create(options);
        return (CudaBackend) b;
    }
}
