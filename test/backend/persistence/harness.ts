// Shared setup for the persistence suites: temporary data files and engines
// over the persistence app (app/, or app-v2/ after a schema change).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine, type EmbeddedEngine, type EngineOptions } from "../../../src/backend/engine/index.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
export const APP = path.join(here, "app");
export const APP_V2 = path.join(here, "app-v2");
export const APP_STRICT = path.join(here, "app-strict");
export const REPO_ROOT = path.resolve(here, "../../..");

/** A fresh directory for one test's data files; `cleanup()` removes it. */
export function tempDir(): { dir: string; file: (name?: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "csn-rt-data-"));
  return { dir, file: (name = "data.db") => path.join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openEngine(dataFile: string, options: Partial<EngineOptions> = {}): Promise<EmbeddedEngine> {
  return createEngine({ functionsDir: APP, clock: "virtual", dataFile, ...options });
}

/**
 * Leaves the data file as `kill -9` would: closed under the engine, with
 * nothing flushed or finished beyond what was already committed. The
 * engine's later commits fail (they would not have happened after a crash).
 */
export function crashDataFile(engine: EmbeddedEngine): void {
  (engine as unknown as { release: () => void }).release();
}
