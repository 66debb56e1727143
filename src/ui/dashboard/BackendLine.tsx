// The backend's own health, live — csn-rt serve only (a Convex deployment
// reports none). When it shows BUSY the latencies above measure a saturated
// server process, not the network or the generator.
import { Text } from "ink";
import { describeBackendSecond, secondIsBusy } from "../../metrics/backendHealth.ts";
import type { BackendHealthSample } from "../../protocol/http/index.ts";

export type BackendLineProps = { backend: BackendHealthSample | null };

export function BackendLine({ backend }: BackendLineProps) {
  if (backend === null) return null;
  const busy = secondIsBusy(backend);
  return (
    <Text>
      <Text bold>backend </Text>
      {describeBackendSecond(backend)}
      {"  "}
      <Text color={busy ? "yellow" : "green"}>{busy ? "BUSY" : "ok"}</Text>
    </Text>
  );
}
