import { convexToJson } from "convex/values";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeActingAs,
  decodeClockAdvance,
  decodeUdfAtTsRequest,
  decodeUdfRequest,
  exportClean,
  formatAuthorizationHeader,
  parseAuthorizationHeader,
} from "../../src/protocol/http/index.ts";
import { encodeTs } from "../../src/protocol/sync/index.ts";

describe("HTTP function requests", () => {
  it("accept args as ConvexHttpClient sends them, [argsObject], and as a bare object", () => {
    expect(decodeUdfRequest({ path: "chat:send", args: [{ body: "hi" }], format: "convex_encoded_json" })).toEqual({
      ok: true,
      value: { path: "chat:send", args: { body: "hi" }, format: "convex_encoded_json" },
    });
    expect(decodeUdfRequest({ path: "chat:send", args: { body: "hi" } })).toEqual({
      ok: true,
      value: { path: "chat:send", args: { body: "hi" }, format: "convex_encoded_json" },
    });
  });

  it("read Convex's format names, legacy aliases included", () => {
    const format = (name: string) => {
      const decoded = decodeUdfRequest({ path: "a:b", args: {}, format: name });
      return decoded.ok ? decoded.value.format : decoded.message;
    };
    expect(format("json")).toBe("json");
    expect(format("convex_clean_json")).toBe("json");
    expect(format("convex_json")).toBe("convex_encoded_json");
    expect(format("constructor")).toMatch(/`format` must be one of/);
  });

  it("list every problem of a bad request in one message", () => {
    const decoded = decodeUdfRequest({ path: "", args: [1, 2], format: 7 });
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.message).toMatch(/`path` must be/);
    expect(decoded.message).toMatch(/`args` must be/);
    expect(decoded.message).toMatch(/`format` must be/);
  });

  it("need an encoded timestamp for query_at_ts", () => {
    expect(decodeUdfAtTsRequest({ path: "a:b", args: {}, ts: encodeTs(7n) })).toMatchObject({ ok: true, value: { ts: 7n } });
    expect(decodeUdfAtTsRequest({ path: "a:b", args: {}, ts: "yesterday" }).ok).toBe(false);
  });

  it("accept a clock step only as a non-negative number of milliseconds", () => {
    expect(decodeClockAdvance({ ms: 120_000 })).toEqual({ ok: true, value: { ms: 120_000 } });
    for (const bad of [{ ms: -1 }, { ms: "5" }, { ms: Number.NaN }, {}, null, { ms: 1e20 }]) {
      expect(decodeClockAdvance(bad).ok).toBe(false);
    }
  });
});

describe("the clean JSON export", () => {
  it("writes int64 as decimal strings, special floats as names and bytes as base64", () => {
    const encoded = convexToJson({
      big: 12345678901234567890n % (1n << 63n),
      nan: Number.NaN,
      inf: -Infinity,
      negZero: -0,
      bytes: new Uint8Array([1, 2, 3]).buffer,
      nested: [{ n: 1n }],
      plain: "x",
    });
    expect(exportClean(encoded)).toEqual({
      big: (12345678901234567890n % (1n << 63n)).toString(),
      nan: "NaN",
      inf: "-Infinity",
      negZero: 0,
      bytes: "AQID",
      nested: [{ n: "1" }],
      plain: "x",
    });
  });

  it("keeps a field named __proto__ as a field", () => {
    const wire = JSON.parse('{"__proto__":{"$integer":"AQAAAAAAAAA="}}');
    expect(JSON.stringify(exportClean(wire))).toBe('{"__proto__":"1"}');
  });

  it("leaves plain JSON values as they are", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const wire = JSON.parse(JSON.stringify(value));
        expect(exportClean(wire)).toEqual(wire);
      }),
    );
  });
});

describe("the Authorization header", () => {
  it("tells a user token from the admin key, with or without an acting-as identity", () => {
    expect(parseAuthorizationHeader(undefined)).toEqual({ kind: "none" });
    expect(parseAuthorizationHeader("Bearer abc.def")).toEqual({ kind: "user", token: "abc.def" });
    expect(parseAuthorizationHeader("Convex key|123")).toEqual({ kind: "admin", key: "key|123", actingAs: null });
    const actingAs = Buffer.from(JSON.stringify({ subject: "u1", issuer: "i" })).toString("base64");
    const parsed = parseAuthorizationHeader(`Convex key|123:${actingAs}`);
    expect(parsed).toEqual({ kind: "admin", key: "key|123", actingAs });
    expect(decodeActingAs(actingAs)).toEqual({ subject: "u1", issuer: "i" });
    expect(parseAuthorizationHeader("Basic dXNlcg==").kind).toBe("malformed");
    expect(parseAuthorizationHeader("Bearer").kind).toBe("malformed");
  });

  it("round-trips through formatAuthorizationHeader", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ kind: fc.constant("user" as const), token: fc.stringMatching(/^[A-Za-z0-9._-]+$/) }),
          fc.record({
            kind: fc.constant("admin" as const),
            key: fc.stringMatching(/^[a-z|0-9-]+$/),
            actingAs: fc.option(fc.base64String({ minLength: 4 }), { nil: null }),
          }),
        ),
        (auth) => {
          expect(parseAuthorizationHeader(formatAuthorizationHeader(auth))).toEqual(auth);
        },
      ),
    );
  });
});
