// Function errors as the official clients see them: a ConvexError's data
// arrives intact (over the WebSocket and over HTTP, for queries and
// mutations), and arguments that do not match the function's validators are
// refused by the backend with Convex's ArgumentValidationError before the
// handler runs.
import { anyApi } from "convex/server";
import { ConvexError } from "convex/values";
import { describe, expect, it } from "vitest";
import { firstError, rejectionOf, useConformance } from "./harness.ts";

const api = anyApi;

const t = useConformance({ app: "fixture" });

const REFUSAL = { kind: "Refused", reason: "not today", retryAfterMs: 1500 };

describe("ConvexError data reaches the client", () => {
  it("a mutation's ConvexError rejects the WebSocket client's promise with its data", async () => {
    const error = await rejectionOf(t.client().mutation(api.failures.refuse, { reason: "not today" }));
    expect(error).toBeInstanceOf(ConvexError);
    expect(error.data).toEqual(REFUSAL);
  });

  it("a mutation's ConvexError reaches the HTTP client with its data", async () => {
    const error = await rejectionOf(t.http().mutation(api.failures.refuse, { reason: "not today" }));
    expect(error).toBeInstanceOf(ConvexError);
    expect(error.data).toEqual(REFUSAL);
  });

  it("a subscribed query's ConvexError reaches the subscription's error handler", async () => {
    const client = t.client();
    const error = await firstError((onValue, onError) => client.onUpdate(api.failures.refuseQuery, {}, onValue, onError));
    expect(error).toBeInstanceOf(ConvexError);
    expect(error.data).toBe("a plain string payload");
  });

  it("an ordinary exception reaches the client as a Server Error without data", async () => {
    const error = await rejectionOf(t.client().mutation(api.counters.increment, { name: "does-not-exist" }));
    expect(error).not.toBeInstanceOf(ConvexError);
    expect(error.message).toContain("Server Error");
  });
});

describe("argument validation", () => {
  it("a query called with a mistyped argument is refused with the path and the validator", async () => {
    const error = await rejectionOf(t.client().query(api.failures.typed, { count: "three", label: "x" }));
    expect(error.message).toMatch(/ArgumentValidationError: Value does not match validator\./);
    expect(error.message).toContain("Path: .count");
    expect(error.message).toContain('Value: "three"');
  });

  it("a missing argument and an unexpected argument are refused over HTTP too", async () => {
    const missing = await rejectionOf(t.http().query(api.failures.typed, { count: 3 }));
    expect(missing.message).toMatch(/ArgumentValidationError: Object is missing the required field `label`/);
    const extra = await rejectionOf(t.http().query(api.failures.typed, { count: 3, label: "x", colour: "red" }));
    expect(extra.message).toMatch(/ArgumentValidationError: Object contains extra field `colour`/);
  });

  it("a mutation with invalid arguments writes nothing", async () => {
    const client = t.client();
    const error = await rejectionOf(client.mutation(api.entries.append, { stream: "invalid", seq: "first" }));
    expect(error.message).toContain("ArgumentValidationError");
    await expect(client.query(api.entries.list, { stream: "invalid" })).resolves.toEqual([]);
  });
});
