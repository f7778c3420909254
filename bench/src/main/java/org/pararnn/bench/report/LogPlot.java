package org.pararnn.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A line chart written as PNG with the JDK's own imaging (headless): {@code x} on a log axis, {@code y} on a log
 * or linear axis, one line with markers per series, a legend beside the plot. Enough for a bench report; no
 * plotting library needed.
 */
final class LogPlot {
    private static final int W = 1000;
    private static final int H = 560;
    private static final int LEFT = 80;
    private static final int RIGHT = 290;
    private static final int TOP = 44;
    private static final int BOTTOM = 56;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf), new Color(0x7f7f7f), new Color(0xbcbd22)};

    record Series(String name, List<double[]> points, boolean dashed) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();

    LogPlot(String title, String xLabel, String yLabel, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logY = logY;
    }

    void add(String name, List<double[]> points, boolean dashed) {
        List<double[]> kept = points.stream().filter(p -> p[0] > 0 && Double.isFinite(p[1]) && (!logY || p[1] > 0)).toList();
        if (!kept.isEmpty()) {
            series.add(new Series(name, kept, dashed));
        }
    }

    boolean isEmpty() {
        return series.isEmpty();
    }

    void write(Path file) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        double xlo = Double.MAX_VALUE;
        double xhi = -Double.MAX_VALUE;
        double ylo = Double.MAX_VALUE;
        double yhi = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double[] p : s.points) {
                xlo = Math.min(xlo, Math.log10(p[0]));
                xhi = Math.max(xhi, Math.log10(p[0]));
                double y = logY ? Math.log10(p[1]) : p[1];
                ylo = Math.min(ylo, y);
                yhi = Math.max(yhi, y);
            }
        }
        if (series.isEmpty()) {
            xlo = 0;
            xhi = 1;
            ylo = 0;
            yhi = 1;
        }
        if (!logY) {
            ylo = Math.min(0, ylo);
        }
        double pad = Math.max(1e-9, (yhi - ylo) * 0.08);
        ylo -= logY ? pad : 0;
        yhi += pad;
        if (xhi - xlo < 1e-9) {
            xlo -= 0.5;
            xhi += 0.5;
        }
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, LEFT, 26);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(LEFT, TOP, pw, ph);
        // x ticks at powers of 2 (the sweep's T values are)
        for (double e = Math.ceil(xlo / Math.log10(2)); e * Math.log10(2) <= xhi + 1e-9; e++) {
            double lx = e * Math.log10(2);
            int x = LEFT + (int) Math.round((lx - xlo) / (xhi - xlo) * pw);
            g.setColor(new Color(235, 235, 235));
            g.drawLine(x, TOP, x, TOP + ph);
            g.setColor(Color.DARK_GRAY);
            String label = String.format(Locale.ROOT, "%.0f", Math.pow(2, e));
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, TOP + ph + 16);
        }
        int yTicks = 6;
        for (int i = 0; i <= yTicks; i++) {
            double v = ylo + (yhi - ylo) * i / yTicks;
            int y = TOP + ph - (int) Math.round((v - ylo) / (yhi - ylo) * ph);
            g.setColor(new Color(235, 235, 235));
            g.drawLine(LEFT, y, LEFT + pw, y);
            g.setColor(Color.DARK_GRAY);
            double shown = logY ? Math.pow(10, v) : v;
            String label = Math.abs(shown) >= 1000 || (Math.abs(shown) < 0.01 && shown != 0)
                    ? String.format(Locale.ROOT, "%.1e", shown) : String.format(Locale.ROOT, "%.3g", shown);
            g.drawString(label, LEFT - 6 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        g.drawString(xLabel + " (log)", LEFT + pw / 2 - 40, H - 16);
        Graphics2D gy = (Graphics2D) g.create();
        gy.rotate(-Math.PI / 2);
        gy.drawString(yLabel + (logY ? " (log)" : ""), -(TOP + ph / 2 + 60), 18);
        gy.dispose();
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            Color c = COLORS[i % COLORS.length];
            g.setColor(c);
            g.setStroke(s.dashed ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {7f, 5f}, 0f)
                    : new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (double[] p : s.points) {
                int x = LEFT + (int) Math.round((Math.log10(p[0]) - xlo) / (xhi - xlo) * pw);
                double yv = logY ? Math.log10(p[1]) : p[1];
                int y = TOP + ph - (int) Math.round((yv - ylo) / (yhi - ylo) * ph);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                g.fillOval(x - 3, y - 3, 7, 7);
                px = x;
                py = y;
            }
            int ly = TOP + 14 + i * 18;
            g.drawLine(LEFT + pw + 14, ly - 4, LEFT + pw + 40, ly - 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name, LEFT + pw + 46, ly);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }
}
