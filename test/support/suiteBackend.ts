// Shared by the conformance and reliability harnesses: one backend per test
// file, signing a client in, and the refusal a call ended in.
import type { ConvexClient } from "convex/browser";
import { afterAll, beforeAll } from "vitest";
import type { MintRequest, TokenMinter } from "../../src/load/tokens.ts";

/**
 * Starts a resource before the file's tests and closes it after. The returned
 * object stands for it once started (a proxy, so it can be a module-level
 * constant); using it earlier is an error that names `what`.
 */
export function useStarted<T extends { close(): Promise<void> }>(what: string, start: () => Promise<T>, startTimeoutMs?: number): T {
  let current: T | undefined;
  beforeAll(async () => {
    current = await start();
  }, startTimeoutMs);
  afterAll(async () => {
    await current?.close();
  });
  return new Proxy({} as T, {
    get(_target, property) {
      if (current === undefined) throw new Error(`the ${what} is used before beforeAll started it`);
      const value = (current as unknown as Record<PropertyKey, unknown>)[property];
      return typeof value === "function" ? value.bind(current) : value;
    },
  });
}

/** The rejection of `promise` (throws if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { data?: unknown }> {
  const outcome = await promise.then(
    (value) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  return outcome.error as Error & { data?: unknown };
}

/** Resolves once the backend accepted `request`'s token on this client; rejects when it refused it. */
export function signIn(client: ConvexClient, tokens: TokenMinter, request: MintRequest): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    client.setAuth(
      () => tokens.mint(request),
      (isAuthenticated) => (isAuthenticated ? resolve() : reject(new Error(`token for ${request.subject} refused`))),
    );
  });
}
