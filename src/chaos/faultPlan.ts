// When each fault of a drill happens. Times are ms after the load window
// opens (the end of simulate's ramp); the drill runs the steps one after
// another and never skips one. Everything before the kill is placed as a
// share of the time until the kill, so a 15-second test and a 10-minute
// soak inject the same faults in the same order:
//
//   0            slow-consumer         subscribe, then stop reading the socket
//   0.15 K       cut                   every connection through the proxy cut
//   0.35 K       lose-answers          answers thrown away for `forMs`, then every connection cut
//   0.60 K       cut
//   0.80 K       cut
//   0.97 K       slow-consumer-check   read again: was it closed, or how much had piled up?
//   K            kill                  SIGKILL the backend, start it again on the same --data file
//   window end   (simulate's grace, then the ledger check)
//
// K = max(0.4 × window, window − 15 s): the restart takes seconds (7 s on a
// loaded 2-core machine) and the clients must be seen working again after
// it, so the kill leaves 15 s of load when the window allows. The slow
// consumer is judged just before the kill: it reaches the backend directly,
// so the kill would end it whatever the backend did. In a 60 s window it
// goes unread for 44 s — enough for the server's 30 s slow-consumer timeout
// (plus one 5 s sweep) once its socket has filled.

export type Fault =
  | { readonly kind: "slow-consumer" }
  | { readonly kind: "cut" }
  | { readonly kind: "lose-answers"; readonly forMs: number }
  | { readonly kind: "slow-consumer-check" }
  | { readonly kind: "kill" };

export type PlannedFault = { readonly atMs: number; readonly fault: Fault };

/** Load after the kill, when the window is long enough: the restart plus time to see clients resume. */
const AFTER_KILL_MS = 15_000;
/** In a short window the kill still comes after the other faults have had room. */
const KILL_MIN_SHARE = 0.4;
/** Plain cuts (the lost-answers window ends with one more): "several", spread before the kill. */
const CUT_AT = [0.15, 0.6, 0.8] as const;
const LOSE_ANSWERS_AT = 0.35;
const SLOW_CONSUMER_CHECK_AT = 0.97;
/**
 * Answers lost for 5% of the time before the kill, at least 1 s (every
 * client has something in flight) and at most 3 s (the official client
 * waits 60 s of silence before it reconnects by itself, so the window ends
 * with a cut, as a dead link would).
 */
const LOSE_SHARE = 0.05;
const LOSE_MIN_MS = 1_000;
const LOSE_MAX_MS = 3_000;

export function planFaults(loadMs: number): PlannedFault[] {
  const killAt = Math.round(Math.max(loadMs * KILL_MIN_SHARE, loadMs - AFTER_KILL_MS));
  const at = (share: number) => Math.round(killAt * share);
  const forMs = Math.min(LOSE_MAX_MS, Math.max(LOSE_MIN_MS, at(LOSE_SHARE)));
  const plan: PlannedFault[] = [
    { atMs: 0, fault: { kind: "slow-consumer" } },
    ...CUT_AT.map((share) => ({ atMs: at(share), fault: { kind: "cut" } as const })),
    { atMs: at(LOSE_ANSWERS_AT), fault: { kind: "lose-answers", forMs } },
    { atMs: at(SLOW_CONSUMER_CHECK_AT), fault: { kind: "slow-consumer-check" } },
    { atMs: killAt, fault: { kind: "kill" } },
  ];
  return plan.sort((a, b) => a.atMs - b.atMs);
}
