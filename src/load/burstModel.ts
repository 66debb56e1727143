import { rampingArrivalRate, type ArrivalStage, type OpenModel } from "./arrivals.ts";

/**
 * Bursts of `ratePerSecond` lasting `burstMs`, separated by silent pauses of
 * `pauseMs`, for `durationMs` in all (a pause of 0 is one continuous burst).
 * Expressed as ramping-arrival-rate stages with instant steps.
 */
export function burstModel(ratePerSecond: number, burstMs: number, pauseMs: number, durationMs: number): OpenModel {
  const stages: ArrivalStage[] = [];
  let elapsed = 0;
  while (elapsed < durationMs) {
    const burst = Math.min(burstMs, durationMs - elapsed);
    stages.push({ durationMs: 0, targetRatePerSecond: ratePerSecond }, { durationMs: burst, targetRatePerSecond: ratePerSecond });
    elapsed += burst;
    if (pauseMs <= 0) break;
    const pause = Math.min(pauseMs, durationMs - elapsed);
    if (pause <= 0) break;
    stages.push({ durationMs: 0, targetRatePerSecond: 0 }, { durationMs: pause, targetRatePerSecond: 0 });
    elapsed += pause;
  }
  if (pauseMs <= 0 && elapsed < durationMs) stages.push({ durationMs: durationMs - elapsed, targetRatePerSecond: ratePerSecond });
  return rampingArrivalRate(0, stages);
}
