// What the viewer sees when the backend cannot be reached: the official
// client keeps retrying (1 s doubling to 16 s) and keeps what was sent
// meanwhile; the banner says so, and goes away once the socket is back.
import { useConvexConnectionState } from "convex/react";

export function ConnectionBanner({ convexUrl }: { convexUrl: string }) {
  const state = useConvexConnectionState();
  if (state.isWebSocketConnected) return null;
  if (state.hasEverConnected) {
    return (
      <div className="banner" role="alert">
        Connection to the live server lost — reconnecting. Chat, the viewer count and your progress catch up when it is back; what you send
        meanwhile is kept and sent then.
      </div>
    );
  }
  if (state.connectionRetries === 0) return null;
  return (
    <div className="banner" role="alert">
      Can't reach the live server at {convexUrl} — retrying.
    </div>
  );
}
