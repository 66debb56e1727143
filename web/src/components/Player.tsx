// A stand-in player: a title, a position slider and play/pause. Progress is
// saved when the viewer lets go of the slider, on pause, and every 10 s while
// playing — each write stamped with this device's clock, so the backend keeps
// the newest position across devices (last write wins by clientUpdatedAt).
// While idle the slider follows the saved position, so another device's
// progress shows here too.
import { useMutation, useQuery } from "convex/react";
import { useEffect, useRef, useState } from "react";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import type { DemoConfig } from "../config";
import { errorText, formatTime } from "../format";

/** While playing, progress is saved this often (seconds of video). */
const SAVE_EVERY_SECONDS = 10;

type Props = {
  titles: DemoConfig["titles"];
  selected: Id<"content">;
  onSelect: (contentId: Id<"content">) => void;
  deviceType: string;
  signedIn: boolean;
};

export function Player({ titles, selected, onSelect, deviceType, signedIn }: Props) {
  const title = titles.find((t) => t.id === selected) ?? titles[0];
  const duration = title.durationSeconds;
  const saved = useQuery(api.watchProgress.getProgress, signedIn ? { contentId: title.id } : "skip");
  const updateProgress = useMutation(api.watchProgress.updateProgress);
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [saveNote, setSaveNote] = useState("");
  const slider = useRef<HTMLInputElement>(null);

  const save = (seconds: number) => {
    if (!signedIn) return;
    setSaveNote("saving…");
    updateProgress({ contentId: title.id, positionSeconds: seconds, durationSeconds: duration, deviceType, clientUpdatedAt: Date.now() })
      .then((result) => setSaveNote(result.applied ? `saved at ${formatTime(seconds)}` : "a newer position from another device was kept"))
      .catch((error: unknown) => setSaveNote(`not saved: ${errorText(error)}`));
  };
  const saveRef = useRef(save);
  saveRef.current = save;

  // A new title starts from the top until its saved position arrives.
  useEffect(() => {
    setPlaying(false);
    setPosition(0);
    setSaveNote("");
  }, [title.id]);
  // Idle: follow the saved position (first load, or another device moved it).
  useEffect(() => {
    if (!playing && !dragging && saved) setPosition(saved.positionSeconds);
  }, [saved, playing, dragging]);

  // React's onChange is the DOM `input` event (every step of a drag); the DOM
  // `change` event fires once the viewer lets go, which is when we save.
  useEffect(() => {
    const element = slider.current!;
    const onCommit = () => {
      setDragging(false);
      saveRef.current(Number(element.value));
    };
    element.addEventListener("change", onCommit);
    return () => element.removeEventListener("change", onCommit);
  }, []);

  useEffect(() => {
    if (!playing) return;
    const timer = window.setInterval(() => setPosition((p) => Math.min(p + 1, duration)), 1000);
    return () => window.clearInterval(timer);
  }, [playing, duration]);
  useEffect(() => {
    if (!playing) return;
    if (position >= duration) {
      setPlaying(false);
      saveRef.current(duration);
    } else if (position > 0 && position % SAVE_EVERY_SECONDS === 0) {
      saveRef.current(position);
    }
  }, [playing, position, duration]);

  const togglePlay = () => {
    if (playing) saveRef.current(position);
    setPlaying(!playing);
  };

  return (
    <section className="player" aria-label="Player">
      <h2>{title.title}</h2>
      <label className="pick">
        Watch{" "}
        <select aria-label="Title" value={title.id} onChange={(event) => onSelect(event.target.value as Id<"content">)}>
          {titles.map((t) => (
            <option key={t.id} value={t.id}>
              {t.title}
            </option>
          ))}
        </select>
      </label>
      <div className="screen">{playing ? "▶ playing" : "❚❚ paused"}</div>
      <input
        ref={slider}
        type="range"
        min={0}
        max={duration}
        step={1}
        value={position}
        aria-label="Position"
        onChange={(event) => {
          setDragging(true);
          setPosition(Number(event.target.value));
        }}
      />
      <div className="controls">
        <button type="button" onClick={togglePlay}>
          {playing ? "Pause" : "Play"}
        </button>
        <span className="time">
          {formatTime(position)} / {formatTime(duration)}
        </span>
      </div>
      <p className="saved">
        {!signedIn
          ? "Progress is not saved for anonymous viewers."
          : saved
            ? `Saved position ${formatTime(saved.positionSeconds)} (from ${saved.deviceType ?? "another device"})`
            : saved === null
              ? "Not started yet."
              : "…"}
        {saveNote ? ` · ${saveNote}` : ""}
      </p>
    </section>
  );
}
