// Which run this is and how far along: elapsed / planned, a progress bar and
// the time left (or what the run is doing once past its planned end).
import { Box, Text } from "ink";
import { formatClock } from "../format.ts";
import { ProgressBar } from "./ProgressBar.tsx";

export type HeaderProps = {
  scenario: string;
  /** null until the run's schedule has started. */
  elapsedMs: number | null;
  plannedMs: number | null;
  /** What the run is doing when that matters more than the clock ("stopping…"). */
  status: string | null;
};

const BAR_WIDTH = 30;

export function Header({ scenario, elapsedMs, plannedMs, status }: HeaderProps) {
  const started = elapsedMs !== null && plannedMs !== null;
  const elapsed = Math.max(0, elapsedMs ?? 0);
  const planned = plannedMs ?? 0;
  const remaining = planned - elapsed;
  return (
    <Box flexDirection="column">
      <Box justifyContent="space-between">
        <Text bold color="cyan">
          csn-rt simulate · {scenario}
        </Text>
        <Text dimColor>q stop</Text>
      </Box>
      <Text>
        {formatClock(elapsed)} / {started ? formatClock(planned) : "--:--"} <ProgressBar ratio={started && planned > 0 ? elapsed / planned : 0} width={BAR_WIDTH} />{" "}
        {status !== null ? null : !started ? (
          <Text dimColor>preparing the run…</Text>
        ) : remaining > 0 ? (
          <Text>{formatClock(remaining)} left</Text>
        ) : (
          <Text color="yellow">winding down…</Text>
        )}
      </Text>
      {status !== null && <Text color="yellow">{status}</Text>}
    </Box>
  );
}
