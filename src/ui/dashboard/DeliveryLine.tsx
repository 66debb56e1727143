// What went wrong with deliveries and writes so far; any non-zero count stands out.
import { Text } from "ink";
import { formatCount } from "../format.ts";
import type { DeliveryCounts } from "./liveStats.ts";

export type DeliveryLineProps = { deliveries: DeliveryCounts };

export function DeliveryLine({ deliveries }: DeliveryLineProps) {
  return (
    <Text>
      <Text bold>deliveries </Text>
      <Count label="lost" value={deliveries.lost} colour="red" /> · <Count label="duplicated" value={deliveries.duplicated} colour="red" /> ·{" "}
      <Count label="out of order" value={deliveries.outOfOrder} colour="red" />
      {"   "}
      <Count label="errors" value={deliveries.errors} colour="red" /> · <Count label="reconnects" value={deliveries.reconnects} colour="yellow" />
    </Text>
  );
}

function Count({ label, value, colour }: { label: string; value: number; colour: "red" | "yellow" }) {
  return (
    <Text>
      {label} <Text color={value > 0 ? colour : "green"}>{formatCount(value)}</Text>
    </Text>
  );
}
