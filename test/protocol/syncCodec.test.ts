import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeClientMessage,
  decodeServerMessage,
  decodeTs,
  encodeClientMessage,
  encodeServerMessage,
  encodeTs,
  MAX_U64,
  splitTransitionFrame,
  TransitionAssembler,
  type ClientMessage,
  type ServerMessage,
  type StateModification,
} from "../../src/protocol/sync/index.ts";

const ts = fc.bigInt({ min: 0n, max: MAX_U64 });
const count = fc.nat({ max: 2 ** 31 });
/** JSON values as they come back from the wire (no -0, no undefined). */
const json = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as never);
const argsObject = fc.dictionary(fc.string(), json).map((value) => JSON.parse(JSON.stringify(value)) as never);
const logLines = fc.array(fc.string(), { maxLength: 3 });
const version = fc.record({ querySet: count, identity: count, ts });

const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record(
    {
      type: fc.constant("Connect" as const),
      sessionId: fc.uuid(),
      connectionCount: count,
      lastCloseReason: fc.option(fc.string(), { nil: null }),
      maxObservedTimestamp: ts,
      clientTs: fc.integer({ min: 0 }),
    },
    { requiredKeys: ["type", "sessionId", "connectionCount", "lastCloseReason"] },
  ),
  fc.record({ type: fc.constant("Authenticate" as const), tokenType: fc.constant("None" as const), baseVersion: count }),
  fc.record({
    type: fc.constant("Authenticate" as const),
    tokenType: fc.constant("User" as const),
    baseVersion: count,
    value: fc.string(),
  }),
  fc.record(
    {
      type: fc.constant("Authenticate" as const),
      tokenType: fc.constant("Admin" as const),
      baseVersion: count,
      value: fc.string(),
      impersonating: fc.record({ subject: fc.string(), issuer: fc.string() }),
    },
    { requiredKeys: ["type", "tokenType", "baseVersion", "value"] },
  ),
  fc.record({
    type: fc.constant("ModifyQuerySet" as const),
    baseVersion: count,
    newVersion: count,
    modifications: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant("Remove" as const), queryId: count }),
        fc.record({
          type: fc.constant("Add" as const),
          queryId: count,
          udfPath: fc.string(),
          args: fc.tuple(argsObject).map((a) => [...a]),
          journal: fc.option(fc.string(), { nil: null }),
        }),
      ),
      { maxLength: 4 },
    ),
  }),
  fc.record({
    type: fc.constantFrom("Mutation" as const, "Action" as const),
    requestId: count,
    udfPath: fc.string(),
    args: fc.tuple(argsObject).map((a) => [...a]),
  }),
  fc.record({ type: fc.constant("Event" as const), eventType: fc.string(), event: json }),
);

const modification: fc.Arbitrary<StateModification> = fc.oneof(
  fc.record({ type: fc.constant("QueryRemoved" as const), queryId: count }),
  fc.record({
    type: fc.constant("QueryUpdated" as const),
    queryId: count,
    value: json,
    logLines,
    journal: fc.option(fc.string(), { nil: null }),
  }),
  fc.record(
    {
      type: fc.constant("QueryFailed" as const),
      queryId: count,
      errorMessage: fc.string(),
      logLines,
      errorData: json,
      journal: fc.option(fc.string(), { nil: null }),
    },
    { requiredKeys: ["type", "queryId", "errorMessage", "logLines", "journal"] },
  ),
);

const serverMessage: fc.Arbitrary<ServerMessage> = fc.oneof(
  fc.record(
    {
      type: fc.constant("Transition" as const),
      startVersion: version,
      endVersion: version,
      modifications: fc.array(modification, { maxLength: 4 }),
      clientClockSkew: fc.integer(),
    },
    { requiredKeys: ["type", "startVersion", "endVersion", "modifications"] },
  ),
  fc.record({ type: fc.constant("MutationResponse" as const), requestId: count, success: fc.constant(true as const), result: json, ts, logLines }),
  fc.record(
    {
      type: fc.constant("MutationResponse" as const),
      requestId: count,
      success: fc.constant(false as const),
      result: fc.string(),
      logLines,
      errorData: json,
    },
    { requiredKeys: ["type", "requestId", "success", "result", "logLines"] },
  ),
  fc.record({ type: fc.constant("ActionResponse" as const), requestId: count, success: fc.constant(true as const), result: json, logLines }),
  fc.record({
    type: fc.constant("AuthError" as const),
    error: fc.string(),
    baseVersion: count,
    authUpdateAttempted: fc.boolean(),
  }),
  fc.record({ type: fc.constant("FatalError" as const), error: fc.string() }),
  fc.constant({ type: "Ping" as const }),
);

describe("u64 timestamps", () => {
  it("match the official client's encoding: base64 of 8 little-endian bytes", () => {
    expect(encodeTs(0n)).toBe("AAAAAAAAAAA=");
    expect(encodeTs(1n)).toBe("AQAAAAAAAAA=");
    expect(encodeTs(0x0102030405060708n)).toBe("CAcGBQQDAgE=");
    expect(encodeTs(MAX_U64)).toBe("//////////8=");
  });

  it("survive encoding for every value from 0 to 2^64-1", () => {
    fc.assert(fc.property(ts, (value) => decodeTs(encodeTs(value)) === value));
  });

  it("encode the same whatever was encoded just before (recent encodings are reused)", () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 20n }), { maxLength: 30 }), (values) =>
        values.every((value) => encodeTs(value) === Buffer.from(new BigUint64Array([value]).buffer).toString("base64")),
      ),
    );
  });

  it("refuse to encode a value outside u64", () => {
    expect(() => encodeTs(-1n)).toThrow(RangeError);
    expect(() => encodeTs(MAX_U64 + 1n)).toThrow(RangeError);
  });

  it("decode to null unless the input is base64 of exactly 8 bytes", () => {
    for (const bad of ["", "AAAA", "AAAAAAAAAAAAAAAA", "AAAAAAAAAA!=", 17, null, "AAAAAAAAAAA==="]) {
      expect(decodeTs(bad)).toBeNull();
    }
  });
});

describe("client frames", () => {
  it("survive encode then decode unchanged", () => {
    fc.assert(
      fc.property(clientMessage, (message) => {
        const decoded = decodeClientMessage(encodeClientMessage(message));
        expect(decoded).toEqual({ ok: true, message });
      }),
    );
  });

  it("never make the decoder throw, whatever arrives", () => {
    const frames = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record({
          type: fc.constantFrom("Connect", "Authenticate", "ModifyQuerySet", "Mutation", "Action", "Event", "Nope"),
          rest: fc.dictionary(
            fc.constantFrom("sessionId", "baseVersion", "newVersion", "modifications", "requestId", "udfPath", "args", "tokenType", "value", "maxObservedTimestamp", "connectionCount"),
            fc.jsonValue(),
          ),
        })
        .map(({ type, rest }) => JSON.stringify({ ...rest, type })),
    );
    fc.assert(
      fc.property(frames, (frame) => {
        const decoded = decodeClientMessage(frame);
        expect(typeof decoded.ok).toBe("boolean");
      }),
    );
  });

  it.each([
    ["", "invalidJson", /not JSON/],
    ["[1,2]", "invalidMessage", /JSON object/],
    ['{"type":"Bogus"}', "invalidMessage", /unknown client message type "Bogus"/],
    ['{"type":"Connect","connectionCount":0}', "invalidMessage", /Connect.sessionId must be a string/],
    [
      '{"type":"Connect","sessionId":"s","connectionCount":0,"lastCloseReason":null,"maxObservedTimestamp":"zz"}',
      "invalidMessage",
      /maxObservedTimestamp must be a u64/,
    ],
    [
      '{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":-1,"udfPath":"a:b","args":[{}]}]}',
      "invalidMessage",
      /modifications\[0\].queryId must be a non-negative integer/,
    ],
    [
      '{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Replace"}]}',
      "invalidMessage",
      /modifications\[0\].type must be "Add" or "Remove"/,
    ],
    ['{"type":"Mutation","requestId":1.5,"udfPath":"a:b","args":[{}]}', "invalidMessage", /requestId must be a non-negative integer/],
    ['{"type":"Action","requestId":1,"udfPath":"a:b","args":{}}', "invalidMessage", /Action.args must be an array/],
    ['{"type":"Authenticate","tokenType":"Weird","baseVersion":0}', "invalidMessage", /tokenType must be/],
    ['{"type":"Authenticate","tokenType":"User","baseVersion":0}', "invalidMessage", /Authenticate.value must be a string/],
  ])("reject %s as a typed %s error", (frame, kind, message) => {
    const decoded = decodeClientMessage(frame);
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.kind).toBe(kind);
    expect(decoded.error.message).toMatch(message);
  });
});

describe("server frames", () => {
  it("survive encode then decode unchanged", () => {
    fc.assert(
      fc.property(serverMessage, (message) => {
        expect(decodeServerMessage(encodeServerMessage(message))).toEqual({ ok: true, message });
      }),
    );
  });

  it("encode a Transition in the shape the official client parses", () => {
    const frame = encodeServerMessage({
      type: "Transition",
      startVersion: { querySet: 0, identity: 0, ts: 0n },
      endVersion: { querySet: 1, identity: 0, ts: 1n },
      modifications: [{ type: "QueryUpdated", queryId: 3, value: { n: 1 }, logLines: [], journal: null }],
    });
    expect(JSON.parse(frame)).toEqual({
      type: "Transition",
      startVersion: { querySet: 0, identity: 0, ts: "AAAAAAAAAAA=" },
      endVersion: { querySet: 1, identity: 0, ts: "AQAAAAAAAAA=" },
      modifications: [{ type: "QueryUpdated", queryId: 3, value: { n: 1 }, logLines: [], journal: null }],
    });
  });
});

describe("transition chunks", () => {
  it("reassemble into the original transition, even when a cut falls inside a surrogate pair", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", minLength: 1, maxLength: 300 }),
        fc.integer({ min: 2, max: 40 }),
        (text, chunkChars) => {
          const transition: ServerMessage = {
            type: "Transition",
            startVersion: { querySet: 0, identity: 0, ts: 0n },
            endVersion: { querySet: 1, identity: 0, ts: 5n },
            modifications: [{ type: "QueryUpdated", queryId: 1, value: text, logLines: [], journal: null }],
          };
          const frames = splitTransitionFrame(encodeServerMessage(transition), chunkChars, "t1");
          const assembler = new TransitionAssembler();
          const results = frames.map((frame) => {
            const decoded = decodeServerMessage(frame);
            if (!decoded.ok || decoded.message.type !== "TransitionChunk") throw new Error("not a chunk");
            const last = decoded.message.chunk.charCodeAt(decoded.message.chunk.length - 1);
            expect(last >= 0xd800 && last <= 0xdbff, "a chunk ends inside a surrogate pair").toBe(false);
            return assembler.accept(decoded.message);
          });
          expect(results.slice(0, -1).every((r) => r.ok && r.message === null)).toBe(true);
          expect(results.at(-1)).toEqual({ ok: true, message: transition });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("are refused when a part arrives out of order", () => {
    const frames = splitTransitionFrame(
      encodeServerMessage({ type: "Ping" }).padEnd(30, " "),
      10,
      "t2",
    ).map((frame) => {
      const decoded = decodeServerMessage(frame);
      if (!decoded.ok) throw new Error("bad chunk");
      return decoded.message;
    });
    const assembler = new TransitionAssembler();
    expect(assembler.accept(frames[1]).ok).toBe(false);
  });
});
