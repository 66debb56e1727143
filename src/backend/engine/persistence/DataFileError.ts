// A data file (`--data FILE`) that cannot be used: missing directory,
// another process holding it, not a csn-rt file, written by a newer version,
// corrupt, or holding documents the current schema rejects. The engine
// refuses to start rather than start empty; the command layer turns this
// into exit code 2 with the hint.
export class DataFileError extends Error {
  constructor(
    message: string,
    /** What to do about it, for a person. */
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DataFileError";
  }
}
