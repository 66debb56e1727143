// Display helpers shared by the components.

/** 400 → "6:40", 3725 → "1:02:05". */
export function formatTime(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The message of a refusal (ConvexError data {kind, message}) or of any other error, for the viewer. */
export function errorText(error: unknown): string {
  const data = (error as { data?: { message?: unknown } }).data;
  if (data !== undefined && typeof data.message === "string") return data.message;
  return error instanceof Error ? error.message : String(error);
}
