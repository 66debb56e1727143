// Seeding and control over the Convex HTTP API with the deployment's admin
// key — the same requests work against the embedded backend and against a
// real Convex deployment (where the key comes from the dashboard or
// `npx convex deploy`).
import type { JSONValue } from "convex/values";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";
import type { AdminApi } from "../scenarios/scenario.ts";

// Seeding batches are small; a call taking longer than this means the backend is stuck.
const REQUEST_TIMEOUT_MS = 60_000;

export function httpAdminApi(url: string, adminKey: string): AdminApi & { advanceClock(ms: number): Promise<number> } {
  const base = url.replace(/\/$/, "");
  const call = async (kind: "query" | "mutation", path: string, args: Record<string, JSONValue>) => {
    let response: Response;
    try {
      response = await fetch(`${base}/api/${kind}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Convex ${adminKey}` },
        body: JSON.stringify({ path, args, format: "json" }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new CliError(`could not reach the backend at ${base}: ${(error as Error).message}`, ExitCode.inconclusive, "check --url, or omit it to use the embedded backend");
    }
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      throw new CliError(`the backend at ${base} refused the admin key (${response.status})`, ExitCode.badUsage, "pass the deployment's admin key with --admin-key or CONVEX_ADMIN_KEY");
    }
    if (!response.ok) {
      throw new CliError(`${kind} ${path} failed with HTTP ${response.status}: ${text.slice(0, 300)}`, ExitCode.error);
    }
    const body = JSON.parse(text) as { status: string; value?: JSONValue; errorMessage?: string };
    if (body.status !== "success") {
      const hint = /Could not find/.test(body.errorMessage ?? "") ? "deploy csn-rt's convex/ folder to this deployment first (see the README)" : undefined;
      throw new CliError(`${kind} ${path} failed: ${body.errorMessage ?? text.slice(0, 300)}`, ExitCode.error, hint);
    }
    return body.value as never;
  };
  return {
    query: (path, args) => call("query", path, args),
    mutation: (path, args) => call("mutation", path, args),
    async advanceClock(ms) {
      const response = await fetch(`${base}/api/csn-rt/clock/advance`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Convex ${adminKey}` },
        body: JSON.stringify({ ms }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      if (!response.ok) throw new CliError(`advancing the backend clock failed (HTTP ${response.status}): ${text.slice(0, 300)}`, ExitCode.error);
      return (JSON.parse(text) as { now: number }).now;
    },
  };
}
