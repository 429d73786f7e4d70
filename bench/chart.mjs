// A small SVG chart of the benchmark table: for each metric, one bar per
// library, scaled to the larger of the two.

const escape = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function label(value, unit) {
  if (value === null || value === undefined || Number.isNaN(value)) return "n/a";
  if (unit.trim() === "B" && value >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${value < 10 ? value.toFixed(3) : Math.round(value)}${unit}`;
}

export function renderChart(table) {
  const rows = table.filter((r) => typeof r.js === "number" && typeof r.wasm === "number");
  const left = 450;
  const barMax = 360;
  const rowHeight = 54;
  const width = left + barMax + 120;
  const height = 40 + rows.length * rowHeight + 20;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<rect x="${left}" y="10" width="12" height="12" fill="#9aa5b1"/><text x="${left + 18}" y="20">search-insights 2.17.3</text>`,
    `<rect x="${left + 170}" y="10" width="12" height="12" fill="#5468ff"/><text x="${left + 188}" y="20">search-insights-wasm</text>`,
  ];
  rows.forEach((r, i) => {
    const y = 40 + i * rowHeight;
    const max = Math.max(r.js, r.wasm) || 1;
    const bar = (value, dy, color) => {
      const w = Math.max(1, (value / max) * barMax);
      return `<rect x="${left}" y="${y + dy}" width="${w.toFixed(1)}" height="16" fill="${color}"/>` +
        `<text x="${(left + w + 6).toFixed(1)}" y="${y + dy + 12}">${escape(label(value, r.unit))}</text>`;
    };
    parts.push(`<text x="${left - 10}" y="${y + 22}" text-anchor="end">${escape(r.label)}</text>`);
    parts.push(bar(r.js, 2, "#9aa5b1"));
    parts.push(bar(r.wasm, 22, "#5468ff"));
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
