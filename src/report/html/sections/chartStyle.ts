// Colours and tick formats shared by every chart, so p99 is the same colour everywhere.

export const COLORS = {
  p50: "#2563eb",
  p99: "#ea580c",
  distribution: "#2563eb",
  lean: "#0d9488",
  official: "#9333ea",
  deliveries_expected: "#94a3b8",
  deliveries_received: "#16a34a",
  deliveries_lost: "#dc2626",
  mutation_errors: "#ea580c",
  query_errors: "#be185d",
  reconnects: "#9333ea",
  dropped_arrivals: "#ca8a04",
} as const;

export function formatMs(ms: number): string {
  return ms >= 100 || Number.isInteger(ms) ? ms.toFixed(0) : ms.toFixed(ms >= 10 ? 1 : 2);
}

export function formatSeconds(s: number): string {
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
}
