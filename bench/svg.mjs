// A small hand-written SVG line chart (no dependencies): one panel per metric, x = N apps, log or linear
// axes, one series per tool, a legend. Used by run.mjs for bench/results/<date>.svg.

const COLORS = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#7f7f7f",
];
const esc = (s) => String(s).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

function ticks(min, max, log) {
  if (log) {
    const out = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
      }
    return out;
  }
  const step = 10 ** Math.floor(Math.log10((max - min) / 4 || 1));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (max - min) / s <= 6) ?? step * 10;
  const out = [];
  for (let v = Math.ceil(min / nice) * nice; v <= max + 1e-9; v += nice) out.push(Number(v.toPrecision(6)));
  return out;
}

const fmt = (v) =>
  v >= 1000 ? `${v / 1000}k` : v >= 1 ? String(Number(v.toPrecision(3))) : String(Number(v.toPrecision(2)));

/**
 * panels: [{ title, unit, log?, series: [{ name, points: [[x, y, yMin?, yMax?]] }] }] sharing the x axis.
 * Points with y undefined are left out; min–max become error bars.
 */
export function lineChartSvg({ title, subtitle = "", xLabel, xLog = true, panels }) {
  const pw = 380;
  const ph = 260;
  const m = { l: 58, r: 12, t: 28, b: 40 };
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const legendH = 18 * Math.ceil(names.length / 3) + 10;
  const width = panels.length * (pw + m.l + m.r) + 10;
  const height = 46 + ph + m.t + m.b + legendH;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" role="img">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="10" y="34" fill="#555">${esc(subtitle)}</text>`,
  ];
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt[0])));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  panels.forEach((panel, k) => {
    const ox = 10 + k * (pw + m.l + m.r) + m.l;
    const oy = 46 + m.t;
    const ys = panel.series.flatMap((s) =>
      s.points.flatMap((pt) => [pt[1], pt[2], pt[3]]).filter((v) => typeof v === "number" && v > 0),
    );
    if (ys.length === 0) return;
    let yMin = Math.min(...ys);
    let yMax = Math.max(...ys);
    if (panel.log) {
      yMin = 10 ** Math.floor(Math.log10(yMin));
      yMax = 10 ** Math.ceil(Math.log10(yMax));
    } else {
      yMin = 0;
      yMax *= 1.1;
    }
    const sx = (x) =>
      xLog
        ? ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin) || 1)) * pw
        : ((x - xMin) / (xMax - xMin || 1)) * pw;
    const sy = (y) =>
      panel.log
        ? ph - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin) || 1)) * ph
        : ph - ((y - yMin) / (yMax - yMin || 1)) * ph;
    out.push(`<g transform="translate(${ox},${oy})">`);
    out.push(
      `<text x="${pw / 2}" y="-10" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`,
    );
    out.push(`<rect width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
    for (const t of ticks(yMin, yMax, panel.log)) {
      const y = sy(t);
      out.push(`<line x1="0" x2="${pw}" y1="${y}" y2="${y}" stroke="#eee"/>`);
      out.push(`<text x="-4" y="${y + 4}" text-anchor="end">${fmt(t)}</text>`);
    }
    for (const t of [...new Set(xs)].sort((a, b) => a - b)) {
      const x = sx(t);
      out.push(`<line x1="${x}" x2="${x}" y1="0" y2="${ph}" stroke="#eee"/>`);
      out.push(`<text x="${x}" y="${ph + 14}" text-anchor="middle">${fmt(t)}</text>`);
    }
    out.push(`<text x="${pw / 2}" y="${ph + 32}" text-anchor="middle">${esc(xLabel)}</text>`);
    out.push(
      `<text transform="translate(-44,${ph / 2}) rotate(-90)" text-anchor="middle">${esc(panel.unit)}${panel.log ? " (log)" : ""}</text>`,
    );
    for (const s of panel.series) {
      const color = COLORS[names.indexOf(s.name) % COLORS.length];
      const pts = s.points.filter((pt) => typeof pt[1] === "number" && pt[1] > 0);
      if (pts.length === 0) continue;
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((pt) => `${sx(pt[0]).toFixed(1)},${sy(pt[1]).toFixed(1)}`).join(" ")}"/>`,
      );
      for (const pt of pts) {
        const x = sx(pt[0]).toFixed(1);
        if (typeof pt[2] === "number" && typeof pt[3] === "number" && pt[2] > 0)
          out.push(
            `<line x1="${x}" x2="${x}" y1="${sy(pt[2]).toFixed(1)}" y2="${sy(pt[3]).toFixed(1)}" stroke="${color}"/>`,
          );
        out.push(
          `<circle cx="${x}" cy="${sy(pt[1]).toFixed(1)}" r="3" fill="${color}"><title>${esc(`${s.name}: N=${pt[0]}, ${pt[1]} ${panel.unit}`)}</title></circle>`,
        );
      }
    }
    out.push("</g>");
  });
  const ly = 46 + ph + m.t + m.b + 8;
  names.forEach((name, i) => {
    const x = 10 + m.l + (i % 3) * 300;
    const y = ly + Math.floor(i / 3) * 18;
    const color = COLORS[i % COLORS.length];
    out.push(`<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="3"/>`);
    out.push(`<text x="${x + 28}" y="${y + 4}">${esc(name)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
