// A fixed-width bar for a share of the run done.
import { Text } from "ink";

export type ProgressBarProps = { ratio: number; width: number };

export function ProgressBar({ ratio, width }: ProgressBarProps) {
  const clamped = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 0;
  const filled = Math.round(clamped * width);
  return (
    <Text>
      <Text color="green">{"█".repeat(filled)}</Text>
      <Text dimColor>{"░".repeat(width - filled)}</Text>
    </Text>
  );
}
