// Notes a person should read: outages, reconnect storms, what a merge approximated.
import type { Report } from "../../../metrics/report.ts";
import { escapeHtml } from "../escape.ts";

export function renderNotes(report: Report): string {
  const body = report.notes.length > 0 ? `<ul>${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>` : `<p class="empty">No notes.</p>`;
  return `<section id="notes"><h2>Notes</h2>${body}</section>`;
}
