package org.pararnn.cells.linalg;

import org.bytedeco.javacpp.FloatPointer;

/**
 * A span of a Java array used as a GEMM operand by several products, copied to native memory at most
 * once. {@link Gemm} copies every array operand into OpenBLAS's native memory on every call; a layer
 * whose input feeds both its forward product and, later, its weight-gradient product (or whose output
 * gradient feeds both the weight- and the input-gradient products) binds it once here instead, and the
 * first product through OpenBLAS makes the native copy that the others reuse. Where OpenBLAS works on the
 * Java arrays in place (Java 22+, {@link Gemm#blasInPlace()}) nothing is ever copied and a binding only
 * names the span.
 *
 * <p>Contract: between {@link #bind} and the last product that uses the operand, the bound span of the
 * source array must not change; write it, then bind again. Not thread-safe: one owner uses it at a time.
 * Products small enough for the Java loops read the source array directly and never copy.
 */
public final class GemmOperand implements AutoCloseable {
    private float[] source;
    private int offset;
    private int length;
    private FloatPointer copy;
    private boolean staged;

    /** Binds {@code source[offset, offset + length)}; products address it relative to {@code offset}. */
    public GemmOperand bind(float[] source, int offset, int length) {
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
    public GemmOperand bind(float[] source) {
        return bind(source, 0, source.length);
    }

    /** Forgets the source array (its native copy, if any, is kept for the next bind). */
    public void unbind() {
        source = null;
        length = 0;
        staged = false;
    }

    public boolean isBound() {
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
