// Node module hooks (loaded by guardLoops.ts through module.register, on
// Node's loader thread): the modules of one functions folder are passed
// through instrumentLoops as they load. tsx's hooks run first, so what
// arrives here is already JavaScript.
import type { InitializeHook, LoadHook } from "node:module";
import { pathToFileURL } from "node:url";
import { instrumentLoops } from "./instrumentLoops.ts";

export type LoopGuardHookData = { readonly functionsDir: string };

let folderUrl: string | null = null;

export const initialize: InitializeHook<LoopGuardHookData> = ({ functionsDir }) => {
  folderUrl = pathToFileURL(functionsDir).href + "/";
};

export const load: LoadHook = async (url, context, nextLoad) => {
  const loaded = await nextLoad(url, context);
  const inFolder = folderUrl !== null && url.startsWith(folderUrl) && !url.includes("/node_modules/");
  if (!inFolder || loaded.format !== "module" || loaded.source === undefined || loaded.source === null) return loaded;
  const source = typeof loaded.source === "string" ? loaded.source : new TextDecoder().decode(loaded.source);
  return { ...loaded, source: instrumentLoops(source) };
};
