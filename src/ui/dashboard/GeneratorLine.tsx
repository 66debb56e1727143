// The load generator's own health, and a warning that stands out when the
// generator — not the backend — is what limits the run.
import { Box, Text } from "ink";
import type { GeneratorStatus } from "./generatorStatus.ts";

export type GeneratorLineProps = { generator: GeneratorStatus };

export function GeneratorLine({ generator }: GeneratorLineProps) {
  const healthy = generator.warnings.length === 0;
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>generator </Text>
        {generator.processes} process{generator.processes === 1 ? "" : "es"} · event-loop lag p99 {generator.lagP99Ms.toFixed(0)} ms · cpu{" "}
        {generator.cpuPercent.toFixed(0)} % · dropped {generator.droppedArrivals}{"  "}
        <Text color={healthy ? "green" : "red"}>{healthy ? "healthy" : "SATURATED"}</Text>
      </Text>
      {!healthy && (
        <Box flexDirection="column">
          <Text color="red" bold>
            ⚠ the load generator is the bottleneck: {generator.warnings.join("; ")}
          </Text>
          <Text color="red">  latencies now include the generator's own delay: add --workers or lower the load</Text>
        </Box>
      )}
    </Box>
  );
}
