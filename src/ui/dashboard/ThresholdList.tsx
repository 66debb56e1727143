// Every threshold as it stands: pass (green), FAIL (red), or waiting for its
// first sample (yellow), with the value it is judged on.
import { Box, Text } from "ink";
import type { ThresholdRow, ThresholdStatus } from "./liveThresholds.ts";

export type ThresholdListProps = { rows: readonly ThresholdRow[] };

const LOOK: Record<ThresholdStatus, { mark: string; word: string; colour: "green" | "red" | "yellow" }> = {
  pass: { mark: "✔", word: "pass", colour: "green" },
  fail: { mark: "✘", word: "FAIL", colour: "red" },
  waiting: { mark: "…", word: "waiting", colour: "yellow" },
};

export function ThresholdList({ rows }: ThresholdListProps) {
  const width = Math.max(0, ...rows.map((r) => r.expression.length));
  return (
    <Box flexDirection="column">
      <Text bold>
        thresholds <Text dimColor>(as they stand now)</Text>
      </Text>
      {rows.length === 0 && <Text dimColor>none set</Text>}
      {rows.map((row, i) => {
        const look = LOOK[row.status];
        return (
          <Text key={i}>
            <Text color={look.colour}>
              {look.mark} {look.word.padEnd(7)}
            </Text>{" "}
            {row.expression.padEnd(width)}  <Text dimColor={row.status === "waiting"}>{row.actual}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
