// The page's whole stylesheet, inlined: the report opens with no network.
export const STYLES = `
:root { color-scheme: light; --fg: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #ffffff; --panel: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1360px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 16px 0 6px; font-family: ui-monospace, monospace; }
.facts, .caption, .download, .empty { color: var(--muted); }
.caption { margin: 4px 0 0; font-size: 12px; }
.reasons { margin: 6px 0; padding-left: 20px; }
.badge { display: inline-block; padding: 1px 10px; border-radius: 999px; font-size: 12px; font-weight: 600; letter-spacing: .03em; }
.badge.pass { background: #dcfce7; color: #166534; }
.badge.fail { background: #fee2e2; color: #991b1b; }
.badge.inconclusive { background: #fef9c3; color: #854d0e; }
.badge.neutral { background: var(--line); color: var(--fg); }
h1 .badge { font-size: 14px; padding: 3px 14px; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; background: var(--panel); }
td.num, th.num { text-align: right; white-space: nowrap; }
table.kv thead { display: none; }
table.kv td:first-child { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 16px; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 24px; }
figure.chart { margin: 0; padding: 10px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart svg { width: 100%; height: auto; display: block; }
svg .plot { fill: #fff; stroke: var(--line); }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .tick { font-size: 11px; fill: var(--muted); }
svg .axis-title { font-size: 11px; fill: var(--fg); }
svg .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12px; margin-top: 4px; }
.legend i { display: inline-block; width: 12px; height: 3px; margin-right: 5px; vertical-align: middle; }
.warning { color: #991b1b; }
`;
