// p50 / p95 / p99 / max of each measured latency, for the recent window and
// for the whole run, two lines per metric so it fits 80 columns.
import { Box, Text } from "ink";
import type { LatencySummary } from "../../metrics/histogram.ts";
import { formatCount, formatMicros } from "../format.ts";
import { RECENT_WINDOW_MS } from "../recentWindow.ts";
import type { LatencyRow } from "./latencyRows.ts";

export type LatencyTableProps = { rows: readonly LatencyRow[] };

const LABEL = 24;
const WINDOW = 11;
const VALUE = 9;
const SAMPLES = 11;
const STATS = ["p50", "p95", "p99", "max"] as const;

export function LatencyTable({ rows }: LatencyTableProps) {
  return (
    <Box flexDirection="column">
      <Box>
        <Cell width={LABEL} bold>
          latency
        </Cell>
        <Cell width={WINDOW} />
        {STATS.map((stat) => (
          <Cell key={stat} width={VALUE} right bold>
            {stat}
          </Cell>
        ))}
        <Cell width={SAMPLES} right bold>
          samples
        </Cell>
      </Box>
      {rows.map((row) => (
        <Box key={row.metric} flexDirection="column">
          <SummaryLine label={row.label} window={`last ${RECENT_WINDOW_MS / 1000} s`} summary={row.recent} />
          <SummaryLine label="" window="whole run" summary={row.total} />
        </Box>
      ))}
    </Box>
  );
}

function SummaryLine({ label, window, summary }: { label: string; window: string; summary: LatencySummary }) {
  const empty = summary.count === 0;
  return (
    <Box>
      <Cell width={LABEL}>{label}</Cell>
      <Cell width={WINDOW} dim>
        {window}
      </Cell>
      {STATS.map((stat) => (
        <Cell key={stat} width={VALUE} right dim={empty}>
          {empty ? "—" : formatMicros(summary[stat])}
        </Cell>
      ))}
      <Cell width={SAMPLES} right dim>
        {formatCount(summary.count)}
      </Cell>
    </Box>
  );
}

function Cell({ width, right, bold, dim, children }: { width: number; right?: boolean; bold?: boolean; dim?: boolean; children?: string }) {
  return (
    <Box width={width} justifyContent={right ? "flex-end" : "flex-start"} flexShrink={0}>
      <Text bold={bold} dimColor={dim} wrap="truncate">
        {children ?? ""}
      </Text>
    </Box>
  );
}
