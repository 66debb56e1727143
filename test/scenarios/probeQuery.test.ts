// The viewers scenario's freshness probes need getViewerCountPublication. A
// deployment of an older CSN app lacks it: the run is refused before it
// starts, saying what to do, instead of filling its report with failed
// subscriptions.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { CliError } from "../../src/errors.ts";
import { httpAdminApi } from "../../src/load/adminApi.ts";
import { requireProbeQuery } from "../../src/scenarios/viewers.ts";

const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function bodyOf(request: IncomingMessage): Promise<{ path: string; args: Record<string, unknown> }> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return JSON.parse(text);
}

/** A deployment whose /api/query knows only the functions in `known`, answered the way Convex answers. */
async function deployment(known: string[]) {
  const asked: { path: string; args: Record<string, unknown> }[] = [];
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    asked.push(body);
    const answer = known.includes(body.path)
      ? { status: "success", value: { count: 0, publishedAt: 0, covers: [] } }
      : { status: "error", errorMessage: `Could not find public function for '${body.path}'.` };
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { admin: httpAdminApi(url, "admin-key"), asked };
}

describe("the freshness probes' query", () => {
  test("a deployment without it is refused with a hint to deploy csn-rt's convex/", async () => {
    const { admin, asked } = await deployment([]);
    const refusal = await requireProbeQuery(admin, "game1").catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CliError);
    expect((refusal as CliError).message).toContain("liveSessions:getViewerCountPublication");
    expect((refusal as CliError).hint).toMatch(/deploy csn-rt's convex\/ folder/);
    expect(asked).toEqual([{ path: "liveSessions:getViewerCountPublication", args: { gameId: "game1" }, format: "json" }]);
  });

  test("a deployment with it passes", async () => {
    const { admin } = await deployment(["liveSessions:getViewerCountPublication"]);
    await expect(requireProbeQuery(admin, "game1")).resolves.toBeUndefined();
  });
});
