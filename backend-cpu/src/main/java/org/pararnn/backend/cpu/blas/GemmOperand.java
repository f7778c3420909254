package org.pararnn.backend.cpu.blas;

import org.bytedeco.javacpp.FloatPointer;

/**
 * A span of a Java array as an OpenBLAS operand on the copying path: {@link Gemm} binds it per call and the
 * native copy is made on first use, in a native area that is kept and grown across calls (one per thread,
 * in {@code Gemm}'s staging), so a training loop's thousands of products allocate no native memory.
 * Contract: between {@link #bind} and the product that uses it, the bound span must not change. Not
 * thread-safe.
 */
final class GemmOperand implements AutoCloseable {
    private float[] source;
    private int offset;
    private int length;
    private FloatPointer copy;
    private boolean staged;

    /** Binds {@code source[offset, offset + length)}; products address it relative to {@code offset}. */
    GemmOperand bind(float[] source, int offset, int length) {
        if (offset < 0 || length < 0 || offset + (long) length > source.length) {
            throw new IllegalArgumentException("operand span [" + offset + ", " + ((long) offset + length)
                    + ") is outside an array of " + source.length);
        }
        this.source = source;
        this.offset = offset;
        this.length = length;
        this.staged = false;
        return this;
    }

    /** Binds the whole array. */
    GemmOperand bind(float[] source) {
        return bind(source, 0, source.length);
    }

    /** Forgets the source array (its native copy, if any, is kept for the next bind). */
    void unbind() {
        source = null;
        length = 0;
        staged = false;
    }

    boolean isBound() {
        return source != null;
    }

    float[] source() {
        requireBound();
        return source;
    }

    int offset() {
        return offset;
    }

    int length() {
        return length;
    }

    /** The native copy, made now if this binding has none yet. */
    FloatPointer staged() {
        requireBound();
        if (!staged) {
            long need = Math.max(1, length);
            if (copy == null || copy.capacity() < need) {
                if (copy != null) {
                    copy.close();
                }
                // Half again as much, so slowly rising sizes do not reallocate every time.
                copy = new FloatPointer(copy == null ? need : Math.max(need, copy.capacity() * 3 / 2));
            }
            copy.position(0).put(source, offset, length);
            staged = true;
        }
        return copy;
    }

    void requireBound() {
        if (source == null) {
            throw new IllegalStateException("GEMM operand used before bind()");
        }
    }

    /** Frees the native copy now instead of when the garbage collector finds it. */
    @Override
    public void close() {
        unbind();
        if (copy != null) {
            copy.close();
            copy = null;
        }
    }
}
