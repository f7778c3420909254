package org.pararnn.backend.cpu.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What the run header says of {@code OPENBLAS_CORETYPE}, from {@code /proc/cpuinfo} texts. */
class OpenBlasCoreTypeTest {
    private static final String AVX512 = "fpu sse sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16";

    private static CpuIdentity cpu(String vendor, int family, String flags) {
        return CpuIdentity.parse("processor\t: 0\nvendor_id\t: " + vendor + "\ncpu family\t: " + family + "\nmodel\t\t: 2\n"
                + "flags\t\t: " + flags + "\n\nprocessor\t: 1\nvendor_id\t: SomethingElse\ncpu family\t: 1\nflags\t\t: \n");
    }

    @Test
    void readsTheFirstProcessorsBlock() {
        CpuIdentity c = cpu("AuthenticAMD", 26, AVX512);
        assertTrue(c.hasAll("avx512f", "avx512vl"));
        assertFalse(cpu("SomethingElse", 1, "").hasAll("avx512f"), "an empty flags line has no features");
        assertFalse(c.hasAll("avx512f", "amx_tile"));
        assertEquals(CpuIdentity.UNKNOWN, CpuIdentity.parse(""));
    }

    @Test
    void nothingToSayWhenOpenBlasChoosesForItself() {
        assertNull(OpenBlasCoreType.note(null, cpu("AuthenticAMD", 26, AVX512)));
        assertNull(OpenBlasCoreType.note("  ", cpu("AuthenticAMD", 26, AVX512)));
    }

    @Test
    void anAvx2PinOnAnAvx512ProcessorIsCalledOutWithItsFix() {
        for (String pin : new String[] {"Haswell", "zen", "SANDYBRIDGE"}) {
            String note = OpenBlasCoreType.note(pin, cpu("AuthenticAMD", 26, AVX512));
            assertTrue(note.startsWith("OPENBLAS_CORETYPE=" + pin + " in the environment, which leaves this CPU's AVX-512 unused"), note);
            assertTrue(note.contains("unset it"), note);
        }
    }

    @Test
    void otherPinsAreNamedOnly() {
        assertEquals("OPENBLAS_CORETYPE=SkylakeX in the environment", OpenBlasCoreType.note("SkylakeX", cpu("AuthenticAMD", 26, AVX512)));
        assertEquals("OPENBLAS_CORETYPE=cooperlake in the environment", OpenBlasCoreType.note("cooperlake", cpu("GenuineIntel", 6, AVX512)));
        // No AVX-512 (Zen 3), or part of it masked by a hypervisor: Haswell is the best there is.
        assertEquals("OPENBLAS_CORETYPE=Haswell in the environment", OpenBlasCoreType.note("Haswell", cpu("AuthenticAMD", 25, "avx avx2 fma")));
        assertEquals("OPENBLAS_CORETYPE=Haswell in the environment", OpenBlasCoreType.note("Haswell",
                cpu("AuthenticAMD", 26, "avx avx2 fma avx512f avx512dq avx512cd avx512vl")));
        assertEquals("OPENBLAS_CORETYPE=Haswell in the environment", OpenBlasCoreType.note("Haswell", CpuIdentity.UNKNOWN));
    }
}
