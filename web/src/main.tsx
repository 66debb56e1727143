// Entry point: read the settings, connect the official client, sign in the
// chosen demo viewer, render.
import { ConvexProvider, ConvexReactClient } from "convex/react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { fetchDemoToken, loadPageSettings } from "./config";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);

async function boot(): Promise<void> {
  const settings = await loadPageSettings(window.location);
  const convex = new ConvexReactClient(settings.config.convexUrl, {
    // The tab's own heartbeats and leave are always in flight around unload;
    // a "leave site?" prompt for them would only confuse viewers.
    unsavedChangesWarning: false,
  });
  let signIn: Promise<boolean> = Promise.resolve(false);
  const user = settings.user;
  if (user !== null) {
    signIn = new Promise((resolve) => {
      // The client asks again (forceRefreshToken) before the token expires; the demo server signs a fresh one.
      convex.setAuth(() => fetchDemoToken(window.location, user.subject), resolve);
    });
  }
  root.render(
    <ConvexProvider client={convex}>
      <App settings={settings} signIn={signIn} />
    </ConvexProvider>,
  );
}

boot().catch((error: unknown) => {
  root.render(
    <main className="fatal" role="alert">
      <h1>The viewer page could not start</h1>
      <p>{error instanceof Error ? error.message : String(error)}</p>
    </main>,
  );
});
