// Continue Watching: the signed-in viewer's 10 most recent unfinished titles,
// live — a position saved on another device moves its row here at once.
import { useQuery } from "convex/react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { formatTime } from "../format";

export function ContinueWatching({ onResume }: { onResume: (contentId: Id<"content">) => void }) {
  const rows = useQuery(api.watchProgress.getContinueWatching, {});
  return (
    <section className="continue" aria-labelledby="continue-watching">
      <h2 id="continue-watching">Continue Watching</h2>
      {rows === undefined ? (
        <p>Loading…</p>
      ) : rows.length === 0 ? (
        <p>Nothing in progress yet: move the slider to start a title.</p>
      ) : (
        <ol aria-labelledby="continue-watching">
          {rows.map((row) => (
            <li key={row.contentId}>
              <button type="button" onClick={() => onResume(row.contentId)}>
                <span className="title">{row.title ?? "(removed title)"}</span>{" "}
                <span className="where">
                  {formatTime(row.positionSeconds)} of {formatTime(row.durationSeconds)} · {Math.floor(row.completionPercentage)}% · on{" "}
                  {row.deviceType ?? "another device"}
                </span>
                <progress max={100} value={row.completionPercentage} />
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
