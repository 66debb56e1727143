// How the page joins the shared live tail with the viewer's history pages
// (web/src/live/chatTimeline.ts).
import { describe, expect, test } from "vitest";
import type { Id } from "../../convex/_generated/dataModel";
import { chatTimeline, type ChatMessage } from "../../web/src/live/chatTimeline.ts";

const msg = (id: string, createdAt: number): ChatMessage => ({ _id: id as Id<"live_chat_messages">, userName: "u", message: id, createdAt });

describe("chat timeline", () => {
  test("tail (oldest first) and history pages (newest first) overlap into one list, oldest first, each message once", () => {
    const tail = [msg("c", 3), msg("d", 4), msg("e", 5)];
    const history = [msg("e", 5), msg("d", 4), msg("c", 3), msg("b", 2), msg("a", 1)];
    expect(chatTimeline(tail, history).map((m) => m.message)).toEqual(["a", "b", "c", "d", "e"]);
  });

  test("a message newer than the history pages (just arrived) comes last", () => {
    expect(chatTimeline([msg("b", 2), msg("new", 9)], [msg("b", 2), msg("a", 1)]).map((m) => m.message)).toEqual(["a", "b", "new"]);
  });

  test("messages sent in the same millisecond keep one order in every tab", () => {
    const same = [msg("y", 7), msg("x", 7)];
    expect(chatTimeline(same, []).map((m) => m.message)).toEqual(["x", "y"]);
    expect(chatTimeline([], [...same].reverse()).map((m) => m.message)).toEqual(["x", "y"]);
  });
});
