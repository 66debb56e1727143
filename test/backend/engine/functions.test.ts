import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmbeddedEngine } from "../../../src/backend/engine/index.ts";
import { admin, anonymous, client, startEngine, user } from "./harness.ts";

describe("the function runtime", () => {
  let engine: EmbeddedEngine;
  let c: ReturnType<typeof client>;
  beforeAll(async () => {
    engine = await startEngine();
    c = client(engine);
  });
  afterAll(() => engine.close());

  it("validates arguments like Convex, naming the path, value and validator", async () => {
    expect(await c.query("validation:typed", { count: 2 })).toEqual({ doubled: 4 });
    const wrongType = await c.queryError("validation:typed", { count: "2" });
    expect(wrongType.message).toMatch(/^\[Request ID: [0-9a-f]+\] Server Error\nArgumentValidationError: Value does not match validator\.\nPath: \.count\nValue: "2"\nValidator: v\.float64\(\)$/);
    const missing = await c.queryError("validation:typed", {});
    expect(missing.message).toContain("ArgumentValidationError: Object is missing the required field `count`.");
    const extra = await c.queryError("validation:typed", { count: 1, surprise: true });
    expect(extra.message).toContain("ArgumentValidationError: Object contains extra field `surprise` that is not in the validator.");
    const nested = await c.queryError("validation:typed", { count: 1, tags: ["ok", 3] });
    expect(nested.message).toContain("Path: .tags[1]");
  });

  it("checks that a v.id argument belongs to its table", async () => {
    const counterId = await c.mutation("counters:create", { name: "ids" });
    const messageId = await c.mutation("messages:send", { channel: "ids", body: "hi" });
    expect(await c.query("validation:typed", { count: 1, messageId })).toEqual({ doubled: 2 });
    const wrongTable = await c.queryError("validation:typed", { count: 1, messageId: counterId });
    expect(wrongTable.message).toContain(
      `ArgumentValidationError: Found ID "${counterId}" from table \`counters\`, which does not match the table name in validator \`v.id("messages")\`.`,
    );
    const notAnId = await c.queryError("validation:typed", { count: 1, messageId: "hello" });
    expect(notAnId.message).toContain('Value: "hello"\nValidator: v.id("messages")');
    expect(await c.query("messages:normalize", { table: "messages", id: messageId })).toBe(messageId);
    expect(await c.query("messages:normalize", { table: "counters", id: messageId })).toBe(null);
  });

  it("validates return values", async () => {
    const { message } = await c.queryError("validation:lyingReturn");
    expect(message).toContain('ReturnsValidationError: Value does not match validator.\n\nValue: "not a number"\nValidator: v.float64()');
  });

  it("enforces the schema on writes", async () => {
    const { message } = await c.mutationError("validation:badDocument");
    expect(message).toContain(
      'Failed to insert or update a document in table "counters" because it does not match the schema: Value does not match validator.\nPath: .value',
    );
  });

  it("hides internal functions from public callers but not from admins", async () => {
    const { message } = await c.queryError("validation:secret");
    expect(message).toMatch(/Server Error\nCould not find public function for 'validation:secret'\.$/);
    expect((await client(engine, user("u1")).queryError("validation:secret")).message).toContain("Could not find public function");
    expect(await client(engine, admin).query("validation:secret")).toBe("internal data");
  });

  it("reports unknown paths and functions of the wrong kind", async () => {
    expect((await c.queryError("nope:nothing")).message).toContain("Could not find public function for 'nope:nothing'.");
    expect((await c.queryError("messages:send", { channel: "x", body: "y" })).message).toContain(
      "Trying to execute messages.js:send as Query, but it is defined as Mutation.",
    );
  });

  it("canonicalizes paths: .js suffixes and default exports", async () => {
    expect(await c.query("validation.js:typed", { count: 1 })).toEqual({ doubled: 2 });
    expect(await c.query("validation")).toBe("default export");
  });

  it("passes ConvexError data through, and shows other errors' messages like a dev deployment", async () => {
    const convexError = await c.mutationError("failures:convexError");
    expect(convexError.data).toEqual({ kind: "RateLimited", retryAfterMs: 1500 });
    expect(convexError.message).toMatch(/Server Error\nUncaught ConvexError: \{"kind":"RateLimited","retryAfterMs":1500\}/);
    const plain = await c.queryError("failures:plainError");
    expect(plain.data).toBeUndefined();
    expect(plain.message).toMatch(/^\[Request ID: [0-9a-f]+\] Server Error\nUncaught Error: something broke/);
  });

  it("returns the caller's identity, or null for anonymous callers and plain admins", async () => {
    expect(await client(engine, user("alice")).query("validation:whoAmI")).toBe("alice");
    expect(await c.query("validation:whoAmI")).toBe(null);
    expect(await client(engine, admin).query("validation:whoAmI")).toBe(null);
    const actingAs = { kind: "admin" as const, actingAs: { tokenIdentifier: "i|bob", subject: "bob", issuer: "i" } };
    expect(await client(engine, actingAs).query("validation:whoAmI")).toBe("bob");
  });

  it("refuses writes from queries", async () => {
    const { message } = await c.queryError("failures:queryWrites");
    expect(message).toContain("Queries cannot write to the database");
  });

  it("captures console output as log lines", async () => {
    const run = await engine.runQuery("failures:logs", {}, anonymous);
    expect(run.outcome.logLines).toEqual(["[LOG] 'hello' 42", "[WARN] 'careful'"]);
  });

  it("runs actions outside transactions, reaching the database through runQuery and runMutation", async () => {
    const before = (await c.query("counters:count")) as number;
    const result = (await c.action("time:viaAction", { name: "from-action" })) as { before: number; after: number };
    expect(result).toMatchObject({ before, after: before + 1 });
  });

  it("runs nested runMutation/runQuery in the caller's transaction, rolling back only a failed nested mutation", async () => {
    expect(await c.mutation("nested:composite")).toEqual({ caught: { code: "NOPE", body: "rolled back" }, seen: ["kept"] });
    expect(await c.query("messages:latest", { channel: "internal", n: 10 })).toEqual(["kept"]);
  });

  it("passes ConvexError data from a function an action called", async () => {
    expect(await c.action("nested:callsFailing")).toEqual({ code: "NOPE", body: "from action" });
  });
});
