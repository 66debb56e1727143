// p99 of each second over the last minute as one line of block glyphs,
// scaled to the window's peak; seconds above the threshold's limit are red.
import { Box, Text } from "ink";
import { formatMicros } from "../format.ts";

export type SparklineProps = {
  label: string;
  /** Oldest first; null where the second had no samples. */
  values: readonly (number | null)[];
  /** Values above this are drawn red (the p99 threshold), if any. */
  limit?: number;
};

const GLYPHS = "▁▂▃▄▅▆▇█";

export function Sparkline({ label, values, limit }: SparklineProps) {
  const measured = values.filter((v): v is number => v !== null);
  const peak = Math.max(0, ...measured);
  const segments = glyphSegments(values, peak, limit);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{label}</Text>
        <Text dimColor>
          {" "}
          · last {values.length} s{measured.length > 0 ? ` · peak ${formatMicros(peak)}` : ""}
          {limit !== undefined ? ` · limit ${formatMicros(limit)}` : ""}
        </Text>
      </Text>
      {measured.length === 0 ? (
        <Text dimColor>no samples yet</Text>
      ) : (
        <Text>
          {segments.map((segment, i) => (
            <Text key={i} color={segment.over ? "red" : "green"}>
              {segment.text}
            </Text>
          ))}
        </Text>
      )}
    </Box>
  );
}

/** Consecutive glyphs of one colour, so a minute is a handful of <Text>s, not sixty. */
function glyphSegments(values: readonly (number | null)[], peak: number, limit: number | undefined): { text: string; over: boolean }[] {
  const segments: { text: string; over: boolean }[] = [];
  for (const value of values) {
    const glyph = value === null ? " " : GLYPHS[peak > 0 ? Math.min(GLYPHS.length - 1, Math.floor((value / peak) * (GLYPHS.length - 1) + 0.5)) : 0];
    const over = value !== null && limit !== undefined && value > limit;
    const last = segments[segments.length - 1];
    if (last !== undefined && last.over === over) last.text += glyph;
    else segments.push({ text: glyph, over });
  }
  return segments;
}
