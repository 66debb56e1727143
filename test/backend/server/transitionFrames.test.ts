// Shared Transition frames: the same state gets the very same frame, any
// difference gets its own, and every frame says exactly what a per-connection
// encoding would.
import { describe, expect, it } from "vitest";
import { TransitionFrames } from "../../../src/backend/server/transitionFrames.ts";
import { decodeServerMessage, encodeTransitionFrame, type StateVersion } from "../../../src/protocol/sync/index.ts";

const START: StateVersion = { querySet: 1, identity: 0, ts: 1000n };
const MODIFICATION = '{"queryId":0,"type":"QueryUpdated","value":7,"logLines":[],"journal":null}';

describe("shared Transition frames", () => {
  it("gives connections in the same state one frame and one end version", () => {
    const frames = new TransitionFrames();
    const first = frames.single(START, 1, 0, 1005n, MODIFICATION);
    // Another connection's own objects, equal in value.
    const second = frames.single({ ...START }, 1, 0, 1005n, `${MODIFICATION}`);
    expect(second).toBe(first);
    expect(first.end).toEqual({ querySet: 1, identity: 0, ts: 1005n });
    expect(first.frame).toBe(encodeTransitionFrame(START, first.end, [MODIFICATION]));
    const decoded = decodeServerMessage(first.frame);
    expect(decoded.ok && decoded.message).toMatchObject({ type: "Transition", startVersion: START, endVersion: first.end, modifications: [{ queryId: 0, value: 7 }] });
  });

  it.each([
    ["start ts", { ...START, ts: 1001n }, 1, 0, 1005n, MODIFICATION],
    ["start query set", { ...START, querySet: 2 }, 1, 0, 1005n, MODIFICATION],
    ["start identity", { ...START, identity: 1 }, 1, 1, 1005n, MODIFICATION],
    ["end query set", START, 2, 0, 1005n, MODIFICATION],
    ["end ts", START, 1, 0, 1006n, MODIFICATION],
    ["modification", START, 1, 0, 1005n, MODIFICATION.replace("7", "8")],
  ] as const)("builds a frame of its own when the %s differs", (_what, start, querySet, identity, endTs, modification) => {
    const frames = new TransitionFrames();
    const base = frames.single(START, 1, 0, 1005n, MODIFICATION);
    const other = frames.single(start, querySet, identity, endTs, modification);
    expect(other).not.toBe(base);
    expect(other.frame).toBe(encodeTransitionFrame(start, { querySet, identity, ts: endTs }, [modification]));
  });

  it("does not keep a large frame alive for later connections", () => {
    const frames = new TransitionFrames();
    const large = MODIFICATION.replace("7", `"${"x".repeat(70_000)}"`);
    const first = frames.single(START, 1, 0, 1005n, large);
    const second = frames.single(START, 1, 0, 1005n, large);
    expect(second).not.toBe(first);
    expect(second.frame).toBe(first.frame);
  });

  it("stays exact when more states are in play than it remembers", () => {
    const frames = new TransitionFrames();
    for (let round = 0; round < 3; round += 1) {
      for (let ts = 0n; ts < 10n; ts += 1n) {
        const start = { ...START, ts: START.ts + ts };
        expect(frames.single(start, 1, 0, 2000n, MODIFICATION).frame).toBe(encodeTransitionFrame(start, { querySet: 1, identity: 0, ts: 2000n }, [MODIFICATION]));
      }
    }
  });
});
