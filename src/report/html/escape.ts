// Everything in a report is untrusted text (scenario names, notes, config
// values can hold anything), so every string reaches the page through here.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * JSON safe inside <script type="application/json">: "<" only ever occurs
 * inside JSON strings, where "\u003c" means the same, so neither "</script"
 * nor "<!--" can end or confuse the element. U+2028/2029 are escaped too, for
 * anyone who pastes the data into a script.
 */
export function jsonForScriptTag(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
