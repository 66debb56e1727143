// The whole dashboard, a pure function of its props: finished phases above
// (<Static>, printed once and never redrawn), then the live panels. The same
// tree renders live (LiveDashboard) and to a string (renderDashboardText).
import { Box, Static, Text } from "ink";
import { DeliveryLine } from "./DeliveryLine.tsx";
import { BackendLine } from "./BackendLine.tsx";
import { GeneratorLine } from "./GeneratorLine.tsx";
import { Header } from "./Header.tsx";
import { LatencyTable } from "./LatencyTable.tsx";
import type { LiveStats } from "./liveStats.ts";
import { LoadLine } from "./LoadLine.tsx";
import { Sparkline } from "./Sparkline.tsx";
import { ThresholdList } from "./ThresholdList.tsx";

export type DashboardProps = {
  scenario: string;
  /** Log lines of phases already done ("seeding chat-burst…"), oldest first. */
  phases: readonly string[];
  /** null until the first snapshot of the run. */
  stats: LiveStats | null;
  /** Elapsed time to show, when it runs ahead of the snapshot's (the clock ticks between snapshots). */
  elapsedMs?: number;
  /** What the run is doing when that matters more than the clock ("stopping…"). */
  status?: string | null;
};

export function Dashboard({ scenario, phases, stats, elapsedMs, status = null }: DashboardProps) {
  return (
    <>
      <Static items={[...phases]}>{(line, i) => <Text key={i} dimColor>{`› ${line}`}</Text>}</Static>
      <Box flexDirection="column" paddingTop={1}>
        <Header scenario={scenario} elapsedMs={stats ? (elapsedMs ?? stats.elapsedMs) : null} plannedMs={stats?.plannedMs ?? null} status={status} />
        {stats !== null && (
          <Box flexDirection="column" gap={1} marginTop={1}>
            <LoadLine viewers={stats.viewers} rates={stats.rates} />
            <LatencyTable rows={stats.latencies} />
            <Sparkline label="mutation → subscription p99 per second" values={stats.p99PerSecond} limit={stats.p99Limit} />
            <DeliveryLine deliveries={stats.deliveries} />
            <ThresholdList rows={stats.thresholds} />
            <GeneratorLine generator={stats.generator} />
            <BackendLine backend={stats.backend} />
          </Box>
        )}
      </Box>
    </>
  );
}
