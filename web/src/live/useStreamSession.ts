// The tab's viewer session for React: one StreamSession per mounted page,
// wired to the official client's mutations and to the page lifecycle.
import { useConvex } from "convex/react";
import { useEffect, useState } from "react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { StreamSession, type SessionStatus } from "./streamSession";

export function useStreamSession(gameId: Id<"games">, deviceType: string, intervalMs: number): SessionStatus {
  const convex = useConvex();
  const [status, setStatus] = useState<SessionStatus>("joining");

  useEffect(() => {
    const session = new StreamSession({
      gameId,
      deviceType,
      intervalMs,
      sessionId: crypto.randomUUID(),
      calls: {
        join: (args) => convex.mutation(api.liveSessions.joinStream, { ...args, gameId: args.gameId as Id<"games"> }),
        heartbeat: (args) => convex.mutation(api.liveSessions.heartbeat, args),
        leave: (args) => convex.mutation(api.liveSessions.leaveStream, args),
      },
      timers: { setTimeout: (fn, ms) => window.setTimeout(fn, ms), clearTimeout: (h) => window.clearTimeout(h as number), random: Math.random },
      onStatus: setStatus,
      onError: (error) => console.warn("viewer session:", error),
    });
    // pagehide, not unload or beforeunload: it fires on tab close, navigation
    // and when the page enters the back/forward cache, and it never blocks.
    // The leave mutation goes out on the open WebSocket before it closes; if
    // it is lost, the 2-minute cleanup counts the tab out instead.
    const onPageHide = () => session.leave();
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) session.start();
    };
    window.addEventListener("pagehide", onPageHide);
    window.addEventListener("pageshow", onPageShow);
    session.start();
    return () => {
      window.removeEventListener("pagehide", onPageHide);
      window.removeEventListener("pageshow", onPageShow);
      session.leave();
    };
  }, [convex, gameId, deviceType, intervalMs]);

  return status;
}
