// Who the query benchmark talks to: the embedded engine in this process (no
// network: args validation, the function, index reads) or `csn-rt serve` in
// its own process over HTTP (the official ConvexHttpClient, loopback). Both
// run the unmodified convex/ app and are driven through the same calls.
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import type { JSONValue } from "convex/values";
import type { Caller, UserIdentity } from "../../src/backend/contracts.ts";
import { createEngine } from "../../src/backend/engine/index.ts";
import type { TokenMinter } from "../../src/load/tokens.ts";

/** Who makes a call. `user` subjects are the seeded users' (seed:createUsers' subjectPrefix + index). */
export type Who = { readonly kind: "admin" } | { readonly kind: "anonymous" } | { readonly kind: "user"; readonly subject: string; readonly permissions?: readonly string[] };

export type Target = {
  readonly name: string;
  mutation(path: string, args: Record<string, JSONValue>, who: Who): Promise<JSONValue>;
  query(path: string, args: Record<string, JSONValue>, who: Who): Promise<JSONValue>;
  close(): Promise<void>;
};

export async function engineTarget(functionsDir: string, issuer: string): Promise<Target> {
  const engine = await createEngine({ functionsDir, clock: "real" });
  const callerOf = (who: Who): Caller => {
    if (who.kind !== "user") return { kind: who.kind };
    // What auth/identityFromClaims makes of a token with these claims.
    const identity: UserIdentity = { tokenIdentifier: `${issuer}|${who.subject}`, subject: who.subject, issuer, name: who.subject, ...(who.permissions ? { permissions: [...who.permissions] } : {}) };
    return { kind: "user", identity };
  };
  const unwrap = (outcome: { ok: boolean; value?: JSONValue; errorMessage?: string }) => {
    if (!outcome.ok) throw new Error(outcome.errorMessage);
    return outcome.value as JSONValue;
  };
  return {
    name: "engine",
    mutation: async (path, args, who) => unwrap((await engine.runMutation(path, args, callerOf(who))).outcome),
    query: async (path, args, who) => unwrap((await engine.runQuery(path, args, callerOf(who))).outcome),
    close: () => engine.close(),
  };
}

export function httpTarget(url: string, adminKey: string, tokens: TokenMinter): Target {
  const clients = new Map<string, Promise<ConvexHttpClient>>();
  const clientFor = (who: Who): Promise<ConvexHttpClient> => {
    const key = who.kind === "user" ? `user:${who.subject}:${who.permissions?.join(",") ?? ""}` : who.kind;
    let client = clients.get(key);
    if (client === undefined) {
      client = (async () => {
        const http = new ConvexHttpClient(url, { logger: false });
        // setAdminAuth is @internal in the client's types; the Convex CLI and dashboard use it.
        if (who.kind === "admin") (http as unknown as { setAdminAuth(key: string): void }).setAdminAuth(adminKey);
        if (who.kind === "user") http.setAuth(await tokens.mint({ subject: who.subject, name: who.subject, permissions: who.permissions }));
        return http;
      })();
      clients.set(key, client);
    }
    return client;
  };
  return {
    name: "http",
    mutation: async (path, args, who) => (await clientFor(who)).mutation(makeFunctionReference<"mutation">(path), args) as Promise<JSONValue>,
    query: async (path, args, who) => (await clientFor(who)).query(makeFunctionReference<"query">(path), args) as Promise<JSONValue>,
    close: async () => clients.clear(),
  };
}
