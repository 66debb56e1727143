// The game chat. The live tail is listMessages — the one subscription every
// viewer shares. "Show older messages" adds this viewer's own history pages
// (usePaginatedQuery over listMessagesPage); until then the page costs the
// backend nothing per viewer. Moderators get Hide / Delete on each message.
import { useMutation, usePaginatedQuery, useQuery } from "convex/react";
import { useEffect, useRef, useState } from "react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { errorText } from "../format";
import { chatTimeline } from "../live/chatTimeline";
import { ChatComposer } from "./ChatComposer";

/** Messages in the shared live tail. */
const LIVE_TAIL = 50;
/** Older messages loaded per "Show older messages". */
const HISTORY_PAGE = 50;

type Props = { gameId: Id<"games">; signedIn: boolean; moderator: boolean };

export function Chat({ gameId, signedIn, moderator }: Props) {
  const latest = useQuery(api.chat.listMessages, { gameId, limit: LIVE_TAIL });
  const [showHistory, setShowHistory] = useState(false);
  const history = usePaginatedQuery(api.chat.listMessagesPage, showHistory ? { gameId } : "skip", {
    // The first page covers the live tail and one page beyond it.
    initialNumItems: LIVE_TAIL + HISTORY_PAGE,
  });
  const moderate = useMutation(api.chat.moderateMessage);
  const [moderationError, setModerationError] = useState("");
  const messages = chatTimeline(latest ?? [], showHistory ? history.results : []);

  const list = useRef<HTMLOListElement>(null);
  const pinnedToBottom = useRef(true);
  useEffect(() => {
    const element = list.current;
    if (element && pinnedToBottom.current) element.scrollTop = element.scrollHeight;
  }, [messages.length]);

  const hide = (messageId: Id<"live_chat_messages">, status: "hidden" | "deleted") => {
    setModerationError("");
    moderate({ messageId, status }).catch((error: unknown) => setModerationError(errorText(error)));
  };

  const olderControl = () => {
    if (latest === undefined) return null;
    if (!showHistory) {
      if (latest.length < LIVE_TAIL) return <p className="start">Start of the chat</p>;
      return (
        <button type="button" className="older" onClick={() => setShowHistory(true)}>
          Show older messages
        </button>
      );
    }
    if (history.status === "Exhausted") return <p className="start">Start of the chat</p>;
    return (
      <button type="button" className="older" disabled={history.status !== "CanLoadMore"} onClick={() => history.loadMore(HISTORY_PAGE)}>
        {history.status === "CanLoadMore" ? "Show older messages" : "Loading older messages…"}
      </button>
    );
  };

  return (
    <section className="chat" aria-labelledby="chat-heading">
      <h2 id="chat-heading">Game chat</h2>
      {olderControl()}
      <ol
        ref={list}
        aria-labelledby="chat-heading"
        onScroll={(event) => {
          const el = event.currentTarget;
          pinnedToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {latest === undefined ? <li className="loading">Loading chat…</li> : null}
        {messages.map((m) => (
          <li key={m._id} className="message">
            <span className="author">{m.userName}</span>: <span className="text">{m.message}</span>
            {moderator ? (
              <span className="moderation">
                <button type="button" aria-label={`Hide message from ${m.userName}: ${m.message}`} onClick={() => hide(m._id, "hidden")}>
                  Hide
                </button>
                <button type="button" aria-label={`Delete message from ${m.userName}: ${m.message}`} onClick={() => hide(m._id, "deleted")}>
                  Delete
                </button>
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      {moderationError ? <p className="error">Moderation failed: {moderationError}</p> : null}
      <ChatComposer gameId={gameId} signedIn={signedIn} />
    </section>
  );
}
