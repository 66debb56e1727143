// What a person reading a merged report should know about its inputs: which
// ones were combined, where their settings disagreed (the first input's are
// kept), and whether a set of shards is incomplete or repeats a shard.
import type { Report } from "../../metrics/report.ts";

export type LabelledReport = { label: string; report: Report };

export function mergeNotes(inputs: readonly LabelledReport[]): string[] {
  const notes = [`merged from ${inputs.length} reports: ${inputs.map((i) => i.label).join(", ")}`];
  const reports = inputs.map((i) => i.report);

  const config = differingKeys(reports.map((r) => r.config));
  if (config.length > 0) notes.push(`the inputs' config differs in ${config.join(", ")}; the merged report shows the first input's`);
  const environment = differingKeys(reports.map((r) => r.environment));
  if (environment.length > 0) notes.push(`the inputs ran in different environments (${environment.join(", ")} differ); the merged report shows the first input's`);
  const versions = [...new Set(reports.map((r) => r.tool.version))];
  if (versions.length > 1) notes.push(`the inputs were written by different csn-rt versions: ${versions.join(", ")}`);

  notes.push(...shardNotes(reports));
  for (const { label, report } of inputs) for (const note of report.notes) notes.push(`${label}: ${note}`);
  return notes;
}

function shardNotes(reports: readonly Report[]): string[] {
  const shards = reports.map((r) => r.shard).filter((s) => s !== undefined);
  if (shards.length === 0) return [];
  const notes: string[] = [];
  const counts = [...new Set(shards.map((s) => s.count))];
  if (counts.length > 1) return [`the inputs come from shardings of different sizes (${counts.join(", ")} shards)`];
  const seen = new Map<number, number>();
  for (const s of shards) seen.set(s.index, (seen.get(s.index) ?? 0) + 1);
  const repeated = [...seen].filter(([, n]) => n > 1).map(([i]) => i);
  if (repeated.length > 0) notes.push(`shard ${repeated.join(", ")} appears more than once, so its measurements are counted more than once`);
  const missing = Array.from({ length: counts[0] }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) notes.push(`shard ${missing.join(", ")} of ${counts[0]} is missing, so the merged report covers only part of the load`);
  return notes;
}

/** Top-level keys whose values are not the same (as JSON) in every object. */
function differingKeys(objects: readonly Record<string, unknown>[]): string[] {
  const keys = [...new Set(objects.flatMap((o) => Object.keys(o)))];
  return keys.filter((k) => new Set(objects.map((o) => JSON.stringify(o[k]))).size > 1);
}
