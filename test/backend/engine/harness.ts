// Shared setup for the engine suites: an engine over the fixture app and
// shorthands that unwrap outcomes.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { JSONValue } from "convex/values";
import type { Caller, FunctionOutcome } from "../../../src/backend/contracts.ts";
import { createEngine, type EmbeddedEngine, type EngineOptions } from "../../../src/backend/engine/index.ts";

export const FIXTURE_APP = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/engine-app");

export const anonymous: Caller = { kind: "anonymous" };
export const admin: Caller = { kind: "admin" };
export const user = (subject: string): Caller => ({
  kind: "user",
  identity: { tokenIdentifier: `https://issuer|${subject}`, subject, issuer: "https://issuer" },
});

export function startEngine(options: Partial<EngineOptions> = {}): Promise<EmbeddedEngine> {
  return createEngine({ functionsDir: FIXTURE_APP, clock: "virtual", ...options });
}

export function valueOf(outcome: FunctionOutcome): JSONValue {
  if (!outcome.ok) throw new Error(`expected success, got: ${outcome.errorMessage}`);
  return outcome.value;
}

export function errorOf(outcome: FunctionOutcome): { message: string; data?: JSONValue } {
  if (outcome.ok) throw new Error(`expected an error, got: ${JSON.stringify(outcome.value)}`);
  return { message: outcome.errorMessage, data: outcome.errorData };
}

/** Shorthands bound to one engine and caller. */
export function client(engine: EmbeddedEngine, caller: Caller = anonymous) {
  return {
    query: async (path: string, args: JSONValue = {}) => valueOf((await engine.runQuery(path, args, caller)).outcome),
    mutation: async (path: string, args: JSONValue = {}) => valueOf((await engine.runMutation(path, args, caller)).outcome),
    action: async (path: string, args: JSONValue = {}) => valueOf((await engine.runAction(path, args, caller)).outcome),
    queryError: async (path: string, args: JSONValue = {}) => errorOf((await engine.runQuery(path, args, caller)).outcome),
    mutationError: async (path: string, args: JSONValue = {}) => errorOf((await engine.runMutation(path, args, caller)).outcome),
  };
}
