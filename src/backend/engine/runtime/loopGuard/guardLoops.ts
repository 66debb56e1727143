import { register } from "node:module";
import path from "node:path";
import type { LoopGuardHookData } from "./hooks.ts";

const guardedFolders = new Set<string>();

/**
 * From now on, modules imported from `functionsDir` have their loops
 * checked against the running function's time limit (instrumentLoops.ts).
 * Call it before the folder's modules are first imported: a module already
 * loaded stays as it was. It needs Node's own ESM loader with tsx's hooks
 * (bin/csn-rt); under vitest, whose runner loads modules itself, it has no
 * effect, which is why the tests of a hanging loop start `csn-rt serve`.
 */
export function guardLoopsIn(functionsDir: string): void {
  const folder = path.resolve(functionsDir);
  if (guardedFolders.has(folder)) return;
  guardedFolders.add(folder);
  const data: LoopGuardHookData = { functionsDir: folder };
  register(new URL("./hooks.ts", import.meta.url), { parentURL: import.meta.url, data });
}
