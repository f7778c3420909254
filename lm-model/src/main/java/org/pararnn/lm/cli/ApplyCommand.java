package org.pararnn.lm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pararnn.api.BackwardPass;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.Tensor;
import org.pararnn.api.io.SafeTensors;
import org.pararnn.api.spi.Backend;
import org.pararnn.cells.ParaCell;
import org.pararnn.lm.app.Session;
import org.pararnn.lm.app.SolverSettings;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;

/**
 * {@code ./pararnn apply}: runs one ParaGRU / ParaLSTM layer with weights from a safetensors file (the
 * PyTorch reference's names and shapes) over {@code x}, optionally backward from {@code gy}, and writes
 * {@code y} and the gradients to a safetensors file.
 */
final class ApplyCommand implements Command {

    @Override
    public String name() {
        return "apply";
    }

    @Override
    public String summary() {
        return "run a ParaGRU/ParaLSTM layer from safetensors weights over an input file (forward, optional backward)";
    }

    /** The options, declared once. */
    static final CliSpec SPEC = CliSpec.command("apply", """
            ./pararnn apply --cell paragru|paralstm --weights W.safetensors --input X.safetensors
                                   [--grad-output G.safetensors] --out OUT.safetensors
                                   [--backend NAME] [--mode sequential|parallel|fused|auto]""", """
            Weights: A [3,D], B [H,N/H,3,D/H], b [3,D] (and C [2,D] for paralstm), as saved by the
            PyTorch reference; H, N and D are read off the shapes. Input: x [B,T,N]; gradient: gy
            [B,T,D] (tensor 'gy', in --grad-output or else in the input file when present there).
            Output: y [B,T,D] and, with a gradient, grad_x, grad_A, grad_B, grad_b (and grad_C).
            float32 or float64 (also F16/BF16) tensors are read; float32 is written.
            The solve reports (mode, Newton iterations, residual, fallback) go to stdout.""")
            .option("cell", "paragru|paralstm", "the cell the weights are for")
            .option("weights", "W.safetensors", "the cell's parameters")
            .option("input", "X.safetensors", "the input x (and the gradient gy, if not in --grad-output)")
            .option("grad-output", "G.safetensors", "the gradient gy of a loss by the output: the backward runs too")
            .option("out", "OUT.safetensors", "where the output (and the gradients) are written")
            .backendOption()
            .modeOption();

    @Override
    public CliSpec spec() {
        return SPEC;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Options o = new Options(SPEC, args);
        String cellName = o.require("cell").toLowerCase(Locale.ROOT);
        if (!cellName.equals("paragru") && !cellName.equals("paralstm")) {
            throw new UsageException("apply: unknown --cell '" + cellName + "'; use paragru or paralstm");
        }
        Path weights = o.requirePath("weights");
        Path input = o.requirePath("input");
        Path outFile = o.requirePath("out");
        Path gradFile = o.get("grad-output") == null ? null : Path.of(o.get("grad-output"));
        Mode mode = o.parse("mode", "auto", Mode::parse);
        ParaCell cell = loadCell(cellName, weights);
        SafeTensors.Contents in = SafeTensors.read(input);
        Tensor x = in.require("x", input);
        int[] xs = x.shape();
        if (xs.length != 3 || xs[2] != cell.inputWidth()) {
            throw new IOException(input + ": tensor 'x' has shape " + Arrays.toString(xs) + " but [B,T,"
                    + cell.inputWidth() + "] is expected (N = " + cell.inputWidth() + " from the weights)");
        }
        int batch = xs[0];
        int steps = xs[1];
        Tensor gy = null;
        if (gradFile != null) {
            gy = SafeTensors.read(gradFile).require("gy", gradFile);
        } else if (in.tensors().containsKey("gy")) {
            gy = in.tensors().get("gy");
        }
        if (gy != null && !gy.sameShape(batch, steps, cell.outputWidth())) {
            throw new IOException((gradFile != null ? gradFile : input) + ": tensor 'gy' has shape "
                    + Arrays.toString(gy.shape()) + " but [" + batch + "," + steps + "," + cell.outputWidth() + "] is expected");
        }
        try (Session session = Session.open(SolverSettings.of(o.get("backend"), mode))) {
            RnnSolver solver = session.solver();
            Backend backend = solver.backend();
            ForwardPass fwd = solver.forward(cell, x.data(), batch, steps);
            out.println("forward:  " + fwd.report());
            List<Tensor> result = new ArrayList<>();
            result.add(new Tensor("y", new int[] {batch, steps, cell.outputWidth()}, fwd.output()));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("cell", cell.type());
            meta.put("backend", backend.name());
            meta.put("forward", fwd.report().toString());
            if (gy != null) {
                BackwardPass bwd = solver.backward(fwd, gy.data());
                out.println("backward: " + bwd.report());
                result.add(new Tensor("grad_x", xs, bwd.gradInput()));
                for (Tensor g : bwd.gradients().tensors()) {
                    result.add(new Tensor("grad_" + g.name(), g.shape(), g.data()));
                }
                meta.put("backward", bwd.report().toString());
            }
            SafeTensors.write(outFile, result, meta);
            out.println("wrote " + outFile + ": " + result.stream().map(Tensor::toString).toList());
        }
        return 0;
    }

    /** Builds the cell whose shapes the weight file implies, then loads the weights into it. */
    static ParaCell loadCell(String name, Path weights) throws IOException {
        SafeTensors.Contents w = SafeTensors.read(weights);
        Tensor a = w.require("A", weights);
        Tensor b = w.require("B", weights);
        if (a.rank() != 2 || a.dim(0) != 3) {
            throw new IOException(weights + ": tensor 'A' has shape " + Arrays.toString(a.shape()) + " but [3,D] is expected");
        }
        if (b.rank() != 4 || b.dim(2) != 3) {
            throw new IOException(weights + ": tensor 'B' has shape " + Arrays.toString(b.shape())
                    + " but [H,N/H,3,D/H] is expected");
        }
        int d = a.dim(1);
        int heads = b.dim(0);
        int n = heads * b.dim(1);
        if (heads * b.dim(3) != d) {
            throw new IOException(weights + ": tensor 'B' of shape " + Arrays.toString(b.shape()) + " implies D = "
                    + heads * b.dim(3) + " but 'A' has D = " + d);
        }
        ParaCell cell = switch (name) {
            case "paragru" -> new ParaGRU(n, d, heads);
            case "paralstm" -> new ParaLSTM(n, d, heads);
            default -> throw new UsageException("apply: unknown --cell '" + name + "'; use paragru or paralstm");
        };
        SafeTensors.loadInto(weights, cell.parameters());
        return cell;
    }
}
