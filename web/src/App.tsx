// The viewer page: who is watching, the live count, the player with Continue
// Watching, and the game chat. Everything live comes from subscriptions; the
// page holds only what the viewer is doing right now (the selected title,
// the slider while dragging, messages being sent).
import { useEffect, useState } from "react";
import type { Id } from "../../convex/_generated/dataModel";
import { Chat } from "./components/Chat";
import { ConnectionBanner } from "./components/ConnectionBanner";
import { ContinueWatching } from "./components/ContinueWatching";
import { Player } from "./components/Player";
import { UserSwitcher } from "./components/UserSwitcher";
import { ViewerCount } from "./components/ViewerCount";
import type { PageSettings } from "./config";

type SignInState = "signing-in" | "signed-in" | "anonymous" | "refused";

export function App({ settings, signIn }: { settings: PageSettings; signIn: Promise<boolean> }) {
  const { config, user, deviceType } = settings;
  const [signInState, setSignInState] = useState<SignInState>(user === null ? "anonymous" : "signing-in");
  const [selected, setSelected] = useState<Id<"content">>(config.titles[0].id);

  useEffect(() => {
    if (user === null) return;
    let live = true;
    void signIn.then((ok) => live && setSignInState(ok ? "signed-in" : "refused"));
    return () => {
      live = false;
    };
  }, [signIn, user]);

  const signedIn = signInState === "signed-in";
  return (
    <div className="page">
      <ConnectionBanner convexUrl={config.convexUrl} />
      <header>
        <h1>{config.game.title}</h1>
        <ViewerCount gameId={config.game.id} deviceType={deviceType} heartbeatIntervalMs={config.heartbeatIntervalMs} ready={signInState !== "signing-in"} />
        <UserSwitcher users={config.users} current={user} deviceType={deviceType} signInState={signInState} />
      </header>
      <main>
        <section className="watch">
          <Player titles={config.titles} selected={selected} onSelect={setSelected} deviceType={deviceType} signedIn={signedIn} />
          {signedIn ? <ContinueWatching onResume={setSelected} /> : <p className="hint">Sign in to keep your place across devices.</p>}
        </section>
        <Chat gameId={config.game.id} signedIn={signedIn} moderator={signedIn && user !== null && user.moderator} />
      </main>
    </div>
  );
}
