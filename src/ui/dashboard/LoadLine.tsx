// Connected viewers against the target, and the send rate against what the
// schedule asked for over the recent window.
import { Text } from "ink";
import { formatCount, formatRate } from "../format.ts";
import type { SendRates } from "./sendRates.ts";

export type LoadLineProps = { viewers: { connected: number; target: number }; rates: SendRates };

export function LoadLine({ viewers, rates }: LoadLineProps) {
  const allConnected = viewers.target > 0 && viewers.connected >= viewers.target;
  // Under 95 % of the schedule is the generator or the backend holding writes back.
  const behind = rates.scheduledPerSecond > 0 && rates.sentPerSecond < 0.95 * rates.scheduledPerSecond;
  return (
    <Text>
      <Text bold>viewers </Text>
      <Text color={allConnected ? "green" : "yellow"}>
        {formatCount(viewers.connected)} / {formatCount(viewers.target)}
      </Text>
      <Text> connected   </Text>
      <Text bold>send rate </Text>
      {rates.windowSeconds === 0 ? (
        <Text dimColor>—</Text>
      ) : (
        <Text>
          <Text color={behind ? "yellow" : undefined}>{formatRate(rates.sentPerSecond)}</Text> of {formatRate(rates.scheduledPerSecond)} scheduled
          <Text dimColor> (last {rates.windowSeconds.toFixed(0)} s)</Text>
        </Text>
      )}
    </Text>
  );
}
