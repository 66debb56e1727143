// One line chart as inline SVG, drawn here rather than by a charting library.
// Why: the page must open with no network, so a library would be inlined into
// every report; the charts needed are few and simple (lines on a linear or
// log10 axis); drawing them at render time needs no script in the page, works
// with scripts blocked, and lets tests check the geometry without a browser.
//
// A series is a list of [x, y] points; `null` breaks the line (an interval
// with no samples is a gap, not an interpolation).
import { escapeHtml } from "../escape.ts";
import { linearScale, log10Scale, niceTicks } from "./scales.ts";

export type ChartPoint = readonly [number, number];

export type ChartSeries = {
  name: string;
  color: string;
  dashed?: boolean;
  points: readonly (ChartPoint | null)[];
};

export type ChartAxis = {
  label: string;
  /** log10 axes need positive values and explicit ticks. */
  log?: boolean;
  ticks?: readonly { value: number; label: string }[];
  format?: (value: number) => string;
  min?: number;
  max?: number;
};

export type LineChartSpec = {
  id: string;
  title: string;
  x: ChartAxis;
  y: ChartAxis;
  series: readonly ChartSeries[];
  /** Shown under the chart: what the lines mean, where they are approximate. */
  caption?: string;
};

const WIDTH = 640;
const HEIGHT = 260;
const MARGIN = { top: 12, right: 28, bottom: 40, left: 64 };
// Markers (with hover titles) only while they stay distinguishable.
const MAX_MARKERS = 60;

export function renderLineChart(spec: LineChartSpec): string {
  const drawn = spec.series.filter((s) => s.points.some((p) => p !== null));
  const body = drawn.length === 0 ? `<p class="empty">No data.</p>` : renderSvg(spec, drawn);
  const legend = drawn
    .map((s) => `<span class="key"><i style="background:${s.color}"></i>${escapeHtml(s.name)}</span>`)
    .join("");
  const caption = spec.caption ? `<p class="caption">${escapeHtml(spec.caption)}</p>` : "";
  return `<figure class="chart" data-chart="${escapeHtml(spec.id)}"><figcaption>${escapeHtml(spec.title)}</figcaption>${body}<div class="legend">${legend}</div>${caption}</figure>`;
}

function renderSvg(spec: LineChartSpec, series: readonly ChartSeries[]): string {
  const points = series.flatMap((s) => s.points.filter((p): p is ChartPoint => p !== null));
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const plot = { left: MARGIN.left, right: WIDTH - MARGIN.right, top: MARGIN.top, bottom: HEIGHT - MARGIN.bottom };

  // x ends where the data ends (a run's last interval is its end); y ends on
  // the first round tick above the data, so the top gridline has a label.
  const xDomain = widen([spec.x.min ?? Math.min(...xs), spec.x.max ?? Math.max(...xs)]);
  const xTicks = spec.x.ticks ?? niceTicks(xDomain[0], xDomain[1], 6).filter((t) => t <= xDomain[1]).map(tickOf(spec.x));
  const yTicks = spec.y.ticks ?? niceTicks(spec.y.min ?? 0, spec.y.max ?? Math.max(...ys)).map(tickOf(spec.y));
  const yDomain = widen([spec.y.min ?? yTicks[0].value, spec.y.max ?? yTicks[yTicks.length - 1].value]);
  const x = (spec.x.log ? log10Scale : linearScale)(xDomain, [plot.left, plot.right]);
  const y = (spec.y.log ? log10Scale : linearScale)(yDomain, [plot.bottom, plot.top]);

  const grid = yTicks
    .map((t) => `<line class="grid" x1="${plot.left}" x2="${plot.right}" y1="${n(y(t.value))}" y2="${n(y(t.value))}"/>`)
    .concat(xTicks.map((t) => `<line class="grid" x1="${n(x(t.value))}" x2="${n(x(t.value))}" y1="${plot.top}" y2="${plot.bottom}"/>`))
    .join("");
  const labels = yTicks
    .map((t) => `<text class="tick" x="${plot.left - 6}" y="${n(y(t.value) + 4)}" text-anchor="end">${escapeHtml(t.label)}</text>`)
    .concat(xTicks.map((t) => `<text class="tick" x="${n(x(t.value))}" y="${plot.bottom + 16}" text-anchor="middle">${escapeHtml(t.label)}</text>`))
    .join("");
  const axisTitles =
    `<text class="axis-title" x="${(plot.left + plot.right) / 2}" y="${HEIGHT - 4}" text-anchor="middle">${escapeHtml(spec.x.label)}</text>` +
    `<text class="axis-title" transform="translate(14 ${(plot.top + plot.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.y.label)}</text>`;

  const lines = series.map((s) => renderSeries(s, x, y, spec)).join("");
  return (
    `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(spec.title)}">` +
    `<rect class="plot" x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}"/>` +
    `${grid}${labels}${axisTitles}${lines}</svg>`
  );
}

function renderSeries(s: ChartSeries, x: (v: number) => number, y: (v: number) => number, spec: LineChartSpec): string {
  let d = "";
  let pen = false;
  for (const p of s.points) {
    if (p === null) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${n(x(p[0]))} ${n(y(p[1]))}`;
    pen = true;
  }
  const present = s.points.filter((p): p is ChartPoint => p !== null);
  const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
  const path = `<path class="line" data-series="${escapeHtml(s.name)}" data-points="${present.length}" d="${d}" stroke="${s.color}"${dash}/>`;
  if (present.length > MAX_MARKERS) return path;
  // A lone point between gaps draws no line, so every point of a short series gets a visible marker.
  const fx = spec.x.format ?? String;
  const fy = spec.y.format ?? String;
  const markers = present
    .map((p) => `<circle class="marker" cx="${n(x(p[0]))}" cy="${n(y(p[1]))}" r="2.5" fill="${s.color}"><title>${escapeHtml(`${s.name}: ${fy(p[1])} at ${fx(p[0])}`)}</title></circle>`)
    .join("");
  return path + markers;
}

/** A single x value (one interval) still needs a span to draw across. */
function widen([low, high]: [number, number]): readonly [number, number] {
  return high > low ? [low, high] : [low, low + 1];
}

function tickOf(axis: ChartAxis): (value: number) => { value: number; label: string } {
  return (value) => ({ value, label: (axis.format ?? String)(value) });
}

/** Pixel coordinates to one decimal: sharper is invisible and only grows the file. */
function n(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}
