// The chat the viewer sees: the live tail (listMessages, one subscription
// shared by every viewer of the game) joined with the history pages this
// viewer asked for (listMessagesPage, newest first). Both start at the newest
// message, so together they are one contiguous stretch; a message in both is
// shown once. A message a moderator hides leaves both in the same update.
import type { Id } from "../../../convex/_generated/dataModel";

export type ChatMessage = {
  _id: Id<"live_chat_messages">;
  userName: string;
  message: string;
  createdAt: number;
};

/** Oldest first, each message once; ties in time keep a stable order by id. */
export function chatTimeline<M extends ChatMessage>(latest: readonly M[], history: readonly M[]): M[] {
  const byId = new Map<string, M>();
  for (const message of history) byId.set(message._id, message);
  for (const message of latest) byId.set(message._id, message);
  return [...byId.values()].sort((a, b) => a.createdAt - b.createdAt || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
}
