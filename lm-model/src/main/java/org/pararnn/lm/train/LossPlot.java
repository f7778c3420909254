package org.pararnn.lm.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.pararnn.api.io.AtomicFiles;

/**
 * Draws the loss curve as a PNG with the JDK's own imaging (headless AWT + ImageIO, no extra library):
 * training loss (light: per step; dark: moving average), held-out loss as dots, and held-out accuracy
 * on a right-hand 0–100 % axis when the run measures it.
 */
public final class LossPlot {
    private static final int W = 900;
    private static final int H = 520;
    private static final int LEFT = 70;
    private static final int RIGHT = 70;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private LossPlot() {
    }

    /**
     * Starts the imaging this class uses (fonts, the PNG writer). Java2D registers shutdown hooks when it starts,
     * which the JVM refuses once it is shutting down; a run calls this first so that the plot can still be drawn
     * after Ctrl-C.
     */
    public static void prepare() {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("0", 0, 8);
        g.getFontMetrics().stringWidth("0");
        g.dispose();
        ImageIO.getImageWritersByFormatName("png").hasNext();
    }

    public static void write(Path file, String title, List<double[]> train, List<double[]> eval) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        double maxStep = 1;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] p : train) {
            maxStep = Math.max(maxStep, p[0]);
            lo = Math.min(lo, p[1]);
            hi = Math.max(hi, p[1]);
        }
        boolean accuracy = false;
        for (double[] p : eval) {
            maxStep = Math.max(maxStep, p[0]);
            lo = Math.min(lo, p[1]);
            hi = Math.max(hi, p[1]);
            accuracy |= !Double.isNaN(p[2]);
        }
        if (!(hi > lo)) {
            lo = Double.isFinite(lo) ? lo - 1 : 0;
            hi = lo + 2;
        }
        lo = Math.max(0, lo - 0.05 * (hi - lo));
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        g.setFont(small);
        // Grid and axes.
        for (int i = 0; i <= 5; i++) {
            int y = TOP + ph - i * ph / 5;
            g.setColor(new Color(230, 230, 230));
            g.drawLine(LEFT, y, LEFT + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%.2f", lo + (hi - lo) * i / 5), 8, y + 4);
            if (accuracy) {
                g.drawString((i * 20) + " %", LEFT + pw + 8, y + 4);
            }
            int x = LEFT + i * pw / 5;
            g.drawString(String.format("%.0f", maxStep * i / 5), x - 10, TOP + ph + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, pw, ph);
        g.drawString("step", LEFT + pw / 2 - 10, H - 12);
        g.drawString("loss (nats/token)", 8, TOP - 12);
        if (accuracy) {
            g.drawString("held-out accuracy", LEFT + pw - 100, TOP - 12);
        }
        g.setFont(small.deriveFont(Font.BOLD, 15f));
        g.drawString(title, LEFT + 120, 22);
        // Training loss: raw and smoothed.
        int window = Math.max(1, train.size() / 50);
        double sum = 0;
        int[] xs = new int[train.size()];
        int[] ys = new int[train.size()];
        int[] smooth = new int[train.size()];
        for (int i = 0; i < train.size(); i++) {
            double[] p = train.get(i);
            sum += p[1];
            if (i >= window) {
                sum -= train.get(i - window)[1];
            }
            xs[i] = LEFT + (int) Math.round(pw * p[0] / maxStep);
            ys[i] = y(p[1], lo, hi, ph);
            smooth[i] = y(sum / Math.min(i + 1, window), lo, hi, ph);
        }
        g.setColor(new Color(160, 190, 230));
        g.drawPolyline(xs, ys, xs.length);
        g.setColor(new Color(20, 70, 160));
        g.setStroke(new BasicStroke(2f));
        g.drawPolyline(xs, smooth, xs.length);
        // Held-out loss and accuracy.
        for (double[] p : eval) {
            int x = LEFT + (int) Math.round(pw * p[0] / maxStep);
            g.setColor(new Color(200, 60, 30));
            g.fillOval(x - 4, y(p[1], lo, hi, ph) - 4, 9, 9);
            if (!Double.isNaN(p[2])) {
                g.setColor(new Color(30, 150, 60));
                int ya = TOP + ph - (int) Math.round(ph * p[2]);
                g.fillRect(x - 4, ya - 4, 8, 8);
            }
        }
        // Legend.
        int lx = LEFT + pw - 200;
        int ly = TOP + 18;
        g.setStroke(new BasicStroke(2f));
        g.setFont(small);
        g.setColor(new Color(20, 70, 160));
        g.drawLine(lx, ly, lx + 20, ly);
        g.drawString("train loss (moving avg.)", lx + 26, ly + 4);
        g.setColor(new Color(200, 60, 30));
        g.fillOval(lx + 6, ly + 14, 9, 9);
        g.drawString("held-out loss", lx + 26, ly + 22);
        if (accuracy) {
            g.setColor(new Color(30, 150, 60));
            g.fillRect(lx + 6, ly + 32, 8, 8);
            g.drawString("held-out accuracy", lx + 26, ly + 40);
        }
        g.dispose();
        // Encoded in memory, then written atomically: ImageIO's default disk cache makes a temporary file to be deleted on
        // exit, which the JVM refuses while it shuts down (the plot written after Ctrl-C).
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream(1 << 16);
        ImageIO.setUseCache(false);
        ImageIO.write(img, "png", png);
        AtomicFiles.write(file, ch -> {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(png.toByteArray());
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
        });
    }

    private static int y(double v, double lo, double hi, int ph) {
        double f = Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
        return TOP + ph - (int) Math.round(ph * f);
    }
}
