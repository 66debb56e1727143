// Writing to the chat. A message shows as "sending…" until the backend has
// it (while disconnected the client holds it and sends it on reconnect);
// a refusal (rate limit, too long) is shown with the backend's own words.
import { useMutation } from "convex/react";
import { useState, type FormEvent } from "react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { errorText } from "../format";

// convex/chat.ts MAX_MESSAGE_LENGTH (importing it would pull server code into the bundle); the backend enforces it anyway.
const MAX_MESSAGE_LENGTH = 500;

type Pending = { key: number; text: string; error: string | null };

let nextKey = 0;

export function ChatComposer({ gameId, signedIn }: { gameId: Id<"games">; signedIn: boolean }) {
  const sendMessage = useMutation(api.chat.sendMessage);
  const [draft, setDraft] = useState("");
  const [pending, setPending] = useState<Pending[]>([]);

  if (!signedIn) return <p className="hint">Sign in to chat.</p>;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim();
    if (text === "") return;
    const key = nextKey++;
    setDraft("");
    setPending((list) => [...list, { key, text, error: null }]);
    sendMessage({ gameId, message: text })
      .then(() => setPending((list) => list.filter((p) => p.key !== key)))
      .catch((error: unknown) => setPending((list) => list.map((p) => (p.key === key ? { ...p, error: errorText(error) } : p))));
  };
  const dismiss = (key: number) => setPending((list) => list.filter((p) => p.key !== key));

  return (
    <div className="composer">
      {pending.length > 0 ? (
        <ul className="pending" aria-label="Your messages being sent">
          {pending.map((p) => (
            <li key={p.key} className={p.error ? "failed" : "sending"}>
              {p.text} — {p.error ? `not sent: ${p.error}` : "sending…"}
              {p.error ? (
                <button type="button" onClick={() => dismiss(p.key)}>
                  Dismiss
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      <form onSubmit={submit}>
        <input value={draft} onChange={(e) => setDraft(e.target.value)} aria-label="Message" placeholder="Say something" maxLength={MAX_MESSAGE_LENGTH} />
        <button type="submit">Send</button>
      </form>
    </div>
  );
}
