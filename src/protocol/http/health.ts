// GET /api/csn-rt/health (admin key): how the embedded backend's own process
// is doing, one sample per second. A scenario that misses its latency target
// on a laptop is often a saturated backend process (a single JS thread, and
// its garbage collector, serving thousands of sockets), and the report should
// say so instead of leaving the reader to guess. Convex deployments do not
// serve this path; the CLI then reports no backend health.
//
//   GET /api/csn-rt/health?since=<at>   200 {now, samples: [sample with at > since]}
//                                       401 without the admin key
import { z } from "zod";

export const BackendHealthSampleSchema = z.object({
  /** End of the interval, wall-clock ms since the epoch on the backend's machine. */
  at: z.number(),
  intervalMs: z.number().positive(),
  /** CPU time of the whole process (JS thread, GC and I/O threads) over the interval, % of one core. */
  cpuPercent: z.number().nonnegative(),
  /** How late the event loop came back to a 10 ms timer: the wait a request arriving then would add. */
  eventLoopLagMs: z.object({ p99: z.number().nonnegative(), max: z.number().nonnegative() }),
  /** Garbage-collection pauses that ended in the interval (they stop the JS thread). */
  gc: z.object({ pauses: z.number().int().nonnegative(), totalMs: z.number().nonnegative(), longestMs: z.number().nonnegative() }),
  rssMb: z.number().nonnegative(),
  /** Open sync WebSockets at the end of the interval. */
  connections: z.number().int().nonnegative(),
});

export type BackendHealthSample = z.infer<typeof BackendHealthSampleSchema>;

export const BackendHealthResponseSchema = z.object({
  /** The backend's wall clock when it answered: where the next `since` may start. */
  now: z.number(),
  samples: z.array(BackendHealthSampleSchema),
});

export type BackendHealthResponse = z.infer<typeof BackendHealthResponseSchema>;
