// The live viewer count, and this tab's own place in it: the tab joins the
// stream once signed in (or as an anonymous viewer) and heartbeats while open.
// The count is the published one, refreshed at most once a second, so a
// kick-off rush does not send every open tab every join.
import { useQuery } from "convex/react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { useStreamSession } from "../live/useStreamSession";

type Props = { gameId: Id<"games">; deviceType: string; heartbeatIntervalMs: number; ready: boolean };

export function ViewerCount({ gameId, deviceType, heartbeatIntervalMs, ready }: Props) {
  const count = useQuery(api.liveSessions.getLiveViewerCount, { gameId });
  return (
    <div className="viewers">
      <p className="count" aria-live="polite">
        {count === undefined ? "…" : count} watching now
      </p>
      {ready ? <SessionStatus gameId={gameId} deviceType={deviceType} heartbeatIntervalMs={heartbeatIntervalMs} /> : null}
    </div>
  );
}

function SessionStatus({ gameId, deviceType, heartbeatIntervalMs }: Omit<Props, "ready">) {
  const status = useStreamSession(gameId, deviceType, heartbeatIntervalMs);
  const text = { joining: "joining…", watching: `you are watching on ${deviceType}`, rejoining: "rejoining…", left: "not watching" }[status];
  return <p className="session">{text}</p>;
}
