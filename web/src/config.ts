// What the page needs to know before it can render: where the backend is,
// which game and titles to show, and who the viewer is. The demo server
// answers GET /demo/config (web/server/demoServer.ts); the viewer is chosen
// with ?as=<subject> (no `as`: an anonymous viewer) and the device label
// with ?device=<label>.
import type { Id } from "../../convex/_generated/dataModel";

export type DemoUser = { subject: string; name: string; moderator: boolean };

export type DemoConfig = {
  convexUrl: string;
  game: { id: Id<"games">; title: string };
  titles: { id: Id<"content">; title: string; durationSeconds: number }[];
  users: DemoUser[];
  heartbeatIntervalMs: number;
};

export type PageSettings = {
  config: DemoConfig;
  /** null: anonymous (may watch, may not chat or save progress). */
  user: DemoUser | null;
  deviceType: string;
};

const DEVICE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,31}$/;

export async function loadPageSettings(location: Location): Promise<PageSettings> {
  const response = await fetch(new URL("demo/config", location.href));
  if (!response.ok) throw new Error(`the demo server answered ${response.status} for its config`);
  const config = (await response.json()) as DemoConfig;
  const params = new URLSearchParams(location.search);
  const subject = params.get("as");
  const user = subject === null || subject === "" ? null : (config.users.find((u) => u.subject === subject) ?? null);
  if (subject && user === null) throw new Error(`there is no demo user "${subject}"; pick one of ${config.users.map((u) => u.subject).join(", ")}`);
  const device = params.get("device") ?? "web";
  return { config, user, deviceType: DEVICE_PATTERN.test(device) ? device : "web" };
}

/** Asks the demo server (same origin, loopback only) to sign a token for the chosen demo user. */
export async function fetchDemoToken(location: Location, subject: string): Promise<string | null> {
  const response = await fetch(new URL("demo/token", location.href), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ subject }),
  });
  if (!response.ok) return null;
  return ((await response.json()) as { token: string }).token;
}
