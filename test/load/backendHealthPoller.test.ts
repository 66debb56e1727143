// The poller behind a report's backendHealth, against scripted answers.
import { describe, expect, it } from "vitest";
import { startBackendHealthPoller } from "../../src/load/backendHealthPoller.ts";
import { healthSecond } from "../support/healthSecond.ts";

const sample = (at: number) => healthSecond({ at });

type Answer = { status: number; body?: unknown } | "network error";

/** A fetch that plays `answers` in order (the last one repeats) and records the URLs asked for. */
function scripted(answers: Answer[]) {
  const urls: string[] = [];
  const headers: (string | null)[] = [];
  const fake = (async (url: string, init?: RequestInit) => {
    urls.push(url);
    headers.push(new Headers(init?.headers).get("authorization"));
    const answer = answers[Math.min(urls.length - 1, answers.length - 1)];
    if (answer === "network error") throw new TypeError("fetch failed");
    return new Response(answer.body === undefined ? "" : JSON.stringify(answer.body), { status: answer.status });
  }) as typeof fetch;
  return { fetch: fake, urls, headers };
}

describe("startBackendHealthPoller", () => {
  it("keeps the samples that ended after the run began, each once, asking with the admin key", async () => {
    const backend = scripted([
      { status: 200, body: { now: 1_000, samples: [sample(500), sample(900)] } },
      { status: 200, body: { now: 3_100, samples: [sample(2_000), sample(3_000)] } },
      "network error",
      { status: 200, body: { now: 4_100, samples: [sample(3_000), sample(4_000)] } },
    ]);
    const poller = startBackendHealthPoller("http://127.0.0.1:1/", "admin|key", { intervalMs: 5, fetch: backend.fetch });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const outcome = await poller.stop();
    expect(outcome).toEqual({ available: true, samples: [sample(2_000), sample(3_000), sample(4_000)] });
    expect(backend.urls[0]).toBe("http://127.0.0.1:1/api/csn-rt/health");
    expect(backend.urls[1]).toBe("http://127.0.0.1:1/api/csn-rt/health?since=1000");
    expect(backend.urls.at(-1)).toBe("http://127.0.0.1:1/api/csn-rt/health?since=4000");
    expect(new Set(backend.headers)).toEqual(new Set(["Convex admin|key"]));
  });

  it("keeps only the seconds within the load window, on the backend's clock however far it is from ours", async () => {
    const local = Date.now();
    const server = local + 60_000;
    const backend = scripted([
      { status: 200, body: { now: server, samples: [] } },
      { status: 200, body: { now: server + 4_000, samples: [1_000, 2_000, 3_000, 4_000].map((t) => sample(server + t)) } },
    ]);
    const poller = startBackendHealthPoller("http://x", "k", { intervalMs: 5, fetch: backend.fetch });
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Load from local+1 s to local+3 s: the seconds ending at +2 s and +3 s; not the one before, nor the teardown after.
    const outcome = await poller.stop({ startMs: local + 1_000, endMs: local + 3_000 });
    expect(outcome.available && outcome.samples.map((s) => s.at - server)).toEqual([2_000, 3_000]);
  });

  it("reports a backend without the endpoint (a Convex deployment) as not available", async () => {
    const backend = scripted([{ status: 404, body: { code: "NotFound", message: "no" } }]);
    const outcome = await startBackendHealthPoller("http://x", "k", { intervalMs: 5, fetch: backend.fetch }).stop();
    expect(outcome).toEqual({ available: false, reason: expect.stringMatching(/does not report its health/) });
  });

  it("says so when the admin key is refused or the answer is not health samples", async () => {
    const refused = scripted([{ status: 401, body: { code: "BadAdminKey", message: "no" } }]);
    expect(await startBackendHealthPoller("http://x", "k", { fetch: refused.fetch }).stop()).toMatchObject({ available: false, reason: expect.stringMatching(/refused the admin key/) });
    const odd = scripted([{ status: 200, body: { now: "soon", samples: 3 } }]);
    expect(await startBackendHealthPoller("http://x", "k", { fetch: odd.fetch }).stop()).toMatchObject({ available: false, reason: expect.stringMatching(/expected form/) });
  });
});
