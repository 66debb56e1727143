// Entry point of a load process (forked by workerPool.ts with tsx): waits for
// its assignment, runs its slice of the scenario, streams samples back.
import { setMaxListeners } from "node:events";
import type { JSONValue } from "convex/values";
import { findScenario } from "../scenarios/index.ts";
import { runProcessSlice } from "./processRuntime.ts";
import type { FromWorker, ToWorker } from "./workerMessages.ts";

const send = (message: FromWorker) => process.send?.(message);
const gathering = new Map<string, (values: JSONValue[]) => void>();
const controller = new AbortController();
// Closed-model users each wait on the signal; their number is the user's to choose.
setMaxListeners(Infinity, controller.signal);
let started = false;

process.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "stop":
      controller.abort();
      return;
    case "gathered":
      gathering.get(message.topic)?.(message.values);
      gathering.delete(message.topic);
      return;
    case "start": {
      if (started) return;
      started = true;
      const scenario = findScenario(message.assignment.scenario);
      if (scenario === undefined) {
        send({ type: "done", error: `unknown scenario ${message.assignment.scenario}` });
        return;
      }
      runProcessSlice({
        assignment: message.assignment,
        scenario,
        signal: controller.signal,
        report: (r) => send({ type: "sample", ...r }),
        log: (text) => send({ type: "log", message: text }),
        gather: (topic, value) =>
          new Promise((resolve) => {
            gathering.set(topic, resolve);
            send({ type: "gather", topic, value });
          }),
      }).then(
        () => send({ type: "done" }),
        (error: unknown) => send({ type: "done", error: error instanceof Error ? error.message : String(error) }),
      ).finally(() => {
        process.disconnect?.();
      });
      return;
    }
    default:
      message satisfies never;
  }
});

// The coordinator going away (crash, kill) must not leave load running.
process.on("disconnect", () => {
  controller.abort();
  setTimeout(() => process.exit(0), 2000).unref();
});

send({ type: "ready" });
