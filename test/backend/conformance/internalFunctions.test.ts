// Internal functions are reachable only with the deployment's admin key: a
// public caller (WebSocket or HTTP) gets Convex's "Could not find public
// function" and nothing runs; the admin key over HTTP runs them.
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { eventually, rejectionOf, useConformance } from "./harness.ts";

const api = anyApi;

const t = useConformance({ app: "fixture" });

describe("internal functions", () => {
  it("an internal query is refused to a public WebSocket client", async () => {
    const error = await rejectionOf(t.client().query(api.failures.secret, {}));
    expect(error.message).toContain("Could not find public function for 'failures:secret'");
  });

  it("an internal mutation is refused to a public HTTP client and writes nothing", async () => {
    const error = await rejectionOf(t.http().mutation(api.counters.set, { name: "guarded", value: 7 }));
    expect(error.message).toContain("Could not find public function for 'counters:set'");
    await expect(t.http().query(api.counters.get, { name: "guarded" })).resolves.toBeNull();
  });

  it("the admin key over HTTP runs internal queries and mutations", async () => {
    const viewer = t.client();
    let seen: number | null | undefined;
    viewer.onUpdate(api.counters.get, { name: "admin-set" }, (value: number | null) => (seen = value));

    const admin = t.admin();
    await expect(admin.query(api.failures.secret, {})).resolves.toBe("internal data");
    await admin.mutation(api.counters.set, { name: "admin-set", value: 42 });
    await eventually(() => seen === 42, "the admin's write to reach a public subscriber");
  });

  it("the admin key on the WebSocket reaches internal functions too", async () => {
    const client = t.client();
    // setAdminAuth is @internal in the client's types; the dashboard uses it.
    (client as unknown as { setAdminAuth(key: string): void }).setAdminAuth(t.backend.adminKey);
    await expect(client.query(api.failures.secret, {})).resolves.toBe("internal data");
  });

  it("the admin key acting as a user runs functions as that user", async () => {
    const admin = new ConvexHttpClient(t.url, { logger: false });
    (admin as unknown as { setAdminAuth(key: string, actingAs: Record<string, string>): void }).setAdminAuth(
      t.backend.adminKey,
      { subject: "impersonated", issuer: "https://support.example" },
    );
    await expect(admin.query(api.identity.whoAmI, {})).resolves.toBe("impersonated");
  });

  it("a wrong admin key is refused outright, not treated as anonymous", async () => {
    const impostor = new ConvexHttpClient(t.url, { logger: false });
    (impostor as unknown as { setAdminAuth(key: string): void }).setAdminAuth(`${t.backend.adminKey}x`);
    const error = await rejectionOf(impostor.query(api.failures.secret, {}));
    expect(error.message).toMatch(/admin key/i);
    await expect(rejectionOf(impostor.query(api.counters.get, { name: "x" }))).resolves.toBeInstanceOf(Error);
  });
});
