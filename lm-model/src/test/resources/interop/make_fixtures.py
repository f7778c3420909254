#!/usr/bin/env python3
"""Writes the interop fixtures of ApplyCommandTest with nothing but the Python standard library.

It is a second, independent implementation of ParaGRU and ParaLSTM (DESIGN.md section 2) in float64
and a second safetensors writer: tensors in mixed dtypes (F64 and F32), a header whose key order
differs from the data order, metadata, and no header padding. Expected outputs y and every gradient
of L = sum(gy * y) (by central finite differences in float64) go into expected_<cell>.safetensors.

Run from this directory: python3 make_fixtures.py
"""
import json
import math
import random
import struct


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, dtype, shape, flat values), data laid out in reverse list order."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, dtype, shape, values in reversed(tensors):
        fmt = {"F64": "<%dd", "F32": "<%df"}[dtype] % len(values)
        blob = struct.pack(fmt, *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    # Key order in the header: the original list order, not the data order.
    ordered = {"__metadata__": metadata}
    for name, _, _, _ in tensors:
        ordered[name] = header[name]
    text = json.dumps(ordered).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def sig(v):
    return 1.0 / (1.0 + math.exp(-v))


def project(p, x_t, n, d, heads):
    nh, dh = n // heads, d // heads
    u = [[0.0] * d for _ in range(3)]
    for v in range(3):
        for h in range(heads):
            for j in range(dh):
                acc = p["b"][v * d + h * dh + j]
                for i in range(nh):
                    acc += x_t[h * nh + i] * p["B"][((h * nh + i) * 3 + v) * dh + j]
                u[v][h * dh + j] = acc
    return u


def gru_step(p, h, u, d):
    a = p["A"]
    out = []
    for i in range(d):
        z = sig(a[i] * h[i] + u[0][i])
        r = sig(a[d + i] * h[i] + u[1][i])
        nn = math.tanh(a[2 * d + i] * h[i] * r + u[2][i])
        out.append(z * nn + (1 - z) * h[i])
    return out


def lstm_step(p, s, u, d):
    a, c = p["A"], p["C"]
    cs, hs = s[:d], s[d:]
    cn_all, hn_all = [], []
    for i in range(d):
        f = sig(a[i] * hs[i] + u[0][i] + c[i] * cs[i])
        ct = math.tanh(a[2 * d + i] * hs[i] + u[2][i])
        cn = f * cs[i] + (1 - f) * ct
        o = sig(a[d + i] * hs[i] + u[1][i] + c[d + i] * cn)
        cn_all.append(cn)
        hn_all.append(o * math.tanh(cn))
    return cn_all + hn_all


def forward(cell, p, x, bsz, steps, n, d, heads):
    y = []
    for b in range(bsz):
        s = [0.0] * (d if cell == "paragru" else 2 * d)
        for t in range(steps):
            x_t = x[(b * steps + t) * n:(b * steps + t + 1) * n]
            u = project(p, x_t, n, d, heads)
            s = gru_step(p, s, u, d) if cell == "paragru" else lstm_step(p, s, u, d)
            y.extend(s if cell == "paragru" else s[d:])
    return y


def loss(cell, p, x, gy, *dims):
    return sum(a * b for a, b in zip(forward(cell, p, x, *dims), gy))


def fd_grad(cell, p, x, gy, key, dims):
    target = x if key == "x" else p[key]
    grad = []
    for i in range(len(target)):
        saved = target[i]
        eps = 1e-6 * max(1.0, abs(saved))
        target[i] = saved + eps
        up = loss(cell, p, x, gy, *dims)
        target[i] = saved - eps
        down = loss(cell, p, x, gy, *dims)
        target[i] = saved
        grad.append((up - down) / (2 * eps))
    return grad


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def main():
    rnd = random.Random(20261123)
    bsz, steps, n, d, heads = 2, 5, 4, 6, 2
    for cell in ("paragru", "paralstm"):
        # Values rounded to float32 so both sides compute with the very same inputs.
        p = {
            "A": [f32(rnd.gauss(0, 0.4)) for _ in range(3 * d)],
            "B": [f32(rnd.uniform(-0.8, 0.8)) for _ in range(heads * (n // heads) * 3 * (d // heads))],
            "b": [f32(rnd.uniform(-0.3, 0.3)) for _ in range(3 * d)],
        }
        if cell == "paralstm":
            p["C"] = [f32(rnd.gauss(0, 0.4)) for _ in range(2 * d)]
        x = [f32(rnd.gauss(0, 1)) for _ in range(bsz * steps * n)]
        gy = [f32(rnd.gauss(0, 1)) for _ in range(bsz * steps * d)]
        dims = (bsz, steps, n, d, heads)
        weights = [("A", "F64", [3, d], p["A"]),
                   ("B", "F32", [heads, n // heads, 3, d // heads], p["B"]),
                   ("b", "F32", [3, d], p["b"])]
        if cell == "paralstm":
            weights.append(("C", "F64", [2, d], p["C"]))
        write_safetensors("weights_%s.safetensors" % cell, weights, {"writer": "make_fixtures.py"})
        write_safetensors("input_%s.safetensors" % cell,
                          [("x", "F64", [bsz, steps, n], x), ("gy", "F32", [bsz, steps, d], gy)], {})
        expected = [("y", "F64", [bsz, steps, d], forward(cell, p, x, *dims)),
                    ("grad_x", "F64", [bsz, steps, n], fd_grad(cell, p, x, gy, "x", dims))]
        for name, _, shape, _ in weights:
            expected.append(("grad_" + name, "F64", shape, fd_grad(cell, p, x, gy, name, dims)))
        write_safetensors("expected_%s.safetensors" % cell, expected, {"method": "float64 central differences"})


if __name__ == "__main__":
    main()
