// A plain HTML table; every cell is escaped unless marked as trusted markup.
import { escapeHtml } from "../escape.ts";

/** Markup built by csn-rt itself (a badge), not text from the report. */
export type Markup = { html: string };
export type Cell = string | number | Markup;

export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[], options: { className?: string; numeric?: readonly number[] } = {}): string {
  const numeric = new Set(options.numeric ?? []);
  const th = headers.map((h, i) => `<th${numeric.has(i) ? ` class="num"` : ""}>${escapeHtml(h)}</th>`).join("");
  const body = rows
    .map((row) => `<tr>${row.map((c, i) => `<td${numeric.has(i) ? ` class="num"` : ""}>${cellHtml(c)}</td>`).join("")}</tr>`)
    .join("");
  return `<table${options.className ? ` class="${options.className}"` : ""}><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

export function badge(kind: "pass" | "fail" | "inconclusive" | "neutral", text: string): Markup {
  return { html: `<span class="badge ${kind}">${escapeHtml(text)}</span>` };
}

function cellHtml(cell: Cell): string {
  if (typeof cell === "object") return cell.html;
  return escapeHtml(String(cell));
}
