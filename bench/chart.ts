// Throughput by concurrency, one line per contender and one panel per dataset size, drawn as SVG
// and rendered to PNG by resvg (a prebuilt binary shipped through the npm registry).
import { Resvg } from "@resvg/resvg-js";

export interface Series {
  name: string;
  color: string;
  points: { connections: number; rps: number }[];
}

export interface Panel {
  title: string;
  series: Series[];
}

const W = 560,
  H = 400,
  M = { top: 48, right: 20, bottom: 56, left: 70 };

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function panelSvg(panel: Panel, dx: number): string {
  const all = panel.series.flatMap((s) => s.points);
  const levels = [...new Set(all.map((p) => p.connections))].sort((a, b) => a - b);
  const max = Math.max(...all.map((p) => p.rps), 10);
  const low = Math.min(...all.map((p) => p.rps).filter((v) => v > 0), max);
  // Log scale: the static answer is two orders of magnitude above the database-backed ones.
  const top = Math.ceil(Math.log10(max)),
    bottom = Math.floor(Math.log10(low));
  const x = (i: number) => dx + M.left + ((W - M.left - M.right) * (i + 0.5)) / levels.length;
  const y = (v: number) =>
    M.top + (H - M.top - M.bottom) * (1 - (Math.log10(Math.max(v, 10 ** bottom)) - bottom) / Math.max(top - bottom, 1));
  const parts = [`<text x="${dx + W / 2}" y="24" font-size="16" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`];
  for (let e = bottom; e <= top; e++) {
    parts.push(`<line x1="${dx + M.left}" x2="${dx + W - M.right}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${dx + M.left - 8}" y="${y(10 ** e) + 4}" font-size="12" text-anchor="end">${(10 ** e).toLocaleString("en")}</text>`,
    );
  }
  levels.forEach((c, i) => {
    parts.push(`<text x="${x(i)}" y="${H - M.bottom + 20}" font-size="12" text-anchor="middle">${c}</text>`);
  });
  parts.push(`<text x="${dx + W / 2}" y="${H - 14}" font-size="13" text-anchor="middle">concurrent connections</text>`);
  parts.push(
    `<text transform="translate(${dx + 16},${H / 2}) rotate(-90)" font-size="13" text-anchor="middle">requests per second (log)</text>`,
  );
  for (const s of panel.series) {
    const pts = s.points.map((p) => [x(levels.indexOf(p.connections)), y(p.rps)]);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5" points="${pts.map((p) => p.join(",")).join(" ")}"/>`);
    for (const [px, py] of pts) parts.push(`<circle cx="${px}" cy="${py}" r="4" fill="${s.color}"/>`);
  }
  return parts.join("\n");
}

export function renderChart(panels: Panel[]): Buffer {
  const series = panels[0]?.series ?? [];
  const columns = panels.length > 1 ? 2 : 1;
  const legendH = 22 * Math.ceil(series.length / columns) + 10;
  const width = W * panels.length,
    height = H + legendH;
  const legend = series.map((s, i) => {
    const lx = 20 + (i % columns) * (width / columns),
      ly = H + 14 + Math.floor(i / columns) * 22;
    return `<rect x="${lx}" y="${ly - 10}" width="14" height="14" fill="${s.color}"/><text x="${lx + 20}" y="${ly + 2}" font-size="13">${escapeXml(s.name)}</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">
<rect width="100%" height="100%" fill="white"/>
${panels.map((p, i) => panelSvg(p, i * W)).join("\n")}
${legend.join("\n")}
</svg>`;
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
}
