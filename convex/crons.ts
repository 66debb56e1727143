import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();

// Sessions go stale after 2 minutes without a heartbeat; checking every
// minute retires each one at most 3 minutes after its last heartbeat.
crons.interval("cleanup stale live sessions", { minutes: 1 }, internal.liveSessions.cleanupStaleSessions, {});

export default crons;
