// Exit codes are part of csn-rt's contract with CI: a pipeline tells a
// regression (99) from a run that proved nothing (3) from a typo (2).
export const ExitCode = {
  pass: 0,
  error: 1,
  badUsage: 2,
  inconclusive: 3,
  thresholdFailed: 99,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
