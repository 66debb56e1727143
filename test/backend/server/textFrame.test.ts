// The server's own text frames, read back by `ws`'s frame parser as a client would.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ws from "ws";
import { encodeTextFrame, encodeTextFrameOnce } from "../../../src/backend/server/textFrame.ts";

// `ws` exports its frame parser at runtime; its type definitions leave it out.
type FrameParser = {
  on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  write(chunk: Buffer): void;
};
const { Receiver } = ws as unknown as { Receiver: new (options: { isServer: boolean; maxPayload: number }) => FrameParser };

/** Every message a client-side `ws` parser reads out of `bytes`. */
function readAsClient(bytes: Buffer): string[] {
  const messages: string[] = [];
  const receiver = new Receiver({ isServer: false, maxPayload: 0 });
  receiver.on("message", (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    messages.push(data.toString("utf8"));
  });
  receiver.on("error", (error: Error) => {
    throw error;
  });
  receiver.write(bytes);
  return messages;
}

describe("encodeTextFrame", () => {
  it("gives a frame any client reads back as the same text, at every length boundary", () => {
    for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]) {
      const text = "x".repeat(length);
      expect(readAsClient(encodeTextFrame(text))).toEqual([text]);
    }
  });

  it("counts the length in UTF-8 bytes, not characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        expect(readAsClient(encodeTextFrame(text))).toEqual([text]);
      }),
    );
    const wide = "é🙂".repeat(40); // 240 bytes: the 16-bit length form
    expect(encodeTextFrame(wide)[1]).toBe(126);
    expect(readAsClient(encodeTextFrame(wide))).toEqual([wide]);
  });

  it("frames placed back to back (one write of a batch) read as separate messages, in order", () => {
    const batch = ["first", "é".repeat(100), "x".repeat(300)];
    expect(readAsClient(Buffer.concat(batch.map(encodeTextFrame)))).toEqual(batch);
  });
});

describe("encodeTextFrameOnce", () => {
  it("hands the same text the same bytes, and any other text its own", () => {
    const shared = '{"type":"Transition","n":1}';
    const first = encodeTextFrameOnce(shared);
    expect(encodeTextFrameOnce(`${shared}`)).toBe(first);
    const other = encodeTextFrameOnce('{"type":"Transition","n":2}');
    expect(other).not.toBe(first);
    expect(readAsClient(other)).toEqual(['{"type":"Transition","n":2}']);
    expect(readAsClient(encodeTextFrameOnce(shared))).toEqual([shared]);
    expect(readAsClient(first)).toEqual([shared]);
  });
});
