// The benchmark's one output: a Markdown table (readable in a terminal, and
// pasted as-is into the README).

export type Verdict = "PASS" | "MISS" | "info";

export type Row = {
  readonly figure: string;
  readonly p50: string;
  readonly p99: string;
  /** Against the figure's reference (floor or convex-test), e.g. "3.2× floor". */
  readonly ratio: string;
  readonly target: string;
  readonly verdict: Verdict;
};

const HEADER: Row = { figure: "figure", p50: "p50", p99: "p99", ratio: "ratio", target: "target", verdict: "info" };

export function renderTable(rows: readonly Row[]): string {
  const cells = (row: Row) => [row.figure, row.p50, row.p99, row.ratio, row.target, row === HEADER ? "result" : row.verdict];
  const all = [HEADER, ...rows].map(cells);
  const widths = all[0].map((_, column) => Math.max(...all.map((line) => line[column].length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i])).join(" | ")} |`;
  return [line(all[0]), line(widths.map((w) => "-".repeat(w))), ...all.slice(1).map(line)].join("\n");
}

/** 850 µs, 12.3 ms, 1.20 s. */
export function formatMicros(us: number): string {
  if (us < 1_000) return `${us} µs`;
  if (us < 1_000_000) return `${(us / 1_000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

export function formatBytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

export function formatRatio(value: number, reference: string): string {
  return `${value.toFixed(value < 10 ? 2 : 1)}× ${reference}`;
}

export function verdict(ok: boolean): Verdict {
  return ok ? "PASS" : "MISS";
}
