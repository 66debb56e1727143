// Loads an unmodified `convex/` folder: every function module (by dynamic
// import; the process runs under tsx, so .ts works), the schema and the
// crons. Which files count as modules mirrors the Convex CLI bundler's
// `entryPoints` (node_modules/convex/src/bundler/index.ts).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ValidatorJSON } from "convex/values";

export type FunctionKind = "query" | "mutation" | "action";
export type Visibility = "public" | "internal";

/** What `queryGeneric(...)` and friends attach to an exported function. */
type ConvexExport = {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
  invokeQuery?: (argsJson: string) => Promise<string>;
  invokeMutation?: (argsJson: string) => Promise<string>;
  invokeAction?: (requestId: string, argsJson: string) => Promise<string>;
  exportArgs?: () => string;
  exportReturns?: () => string;
};

export type RegisteredFunction = {
  /** Canonical path, "dir/module:name". */
  readonly path: string;
  readonly kind: FunctionKind;
  readonly visibility: Visibility;
  /** Null when arguments are unvalidated (`v.any()` or no `args`). */
  readonly args: ValidatorJSON | null;
  /** Null when the return value is unvalidated. */
  readonly returns: ValidatorJSON | null;
  /** Runs the function's handler; resolves to its result as JSON text. */
  readonly invoke: (argsJson: string, requestId: string) => Promise<string>;
};

export type LoadedModules = {
  readonly functions: ReadonlyMap<string, RegisteredFunction>;
  /** module path → the module's default export (crons.ts exports its Crons object there). */
  readonly defaultExports: ReadonlyMap<string, unknown>;
};

const MODULE_EXTENSIONS = [".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".jsx"];

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      // A directory holding convex.config.ts is a component, deployed separately.
      if (existsSync(path.join(full, "convex.config.ts"))) continue;
      yield* walk(full);
    } else if (entry.isFile()) {
      yield full;
    }
  }
}

/** The function modules of a functions folder, as [module path, file] pairs. */
export function listModules(functionsDir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const file of walk(functionsDir)) {
    const rel = path.relative(functionsDir, file).split(path.sep).join("/");
    const base = path.basename(file);
    const ext = MODULE_EXTENSIONS.find((e) => rel.endsWith(e));
    if (ext === undefined) continue;
    if (rel.startsWith("_generated/") || base.startsWith(".") || base.startsWith("#")) continue;
    if (base === "schema.ts" || base === "schema.js") continue;
    // auth.config.ts, convex.config.ts, *.test.ts, *.d.ts: Convex skips names with several dots.
    if ((base.match(/\./g) ?? []).length > 1) continue;
    if (rel.includes(" ")) continue;
    if ((ext === ".ts" || ext === ".tsx") && !/^\s{0,100}(import|export)/m.test(readFileSync(file, "utf8"))) continue;
    out.push([rel.slice(0, -ext.length), file]);
  }
  return out;
}

export async function importModule(file: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

function parseValidator(json: string | undefined): ValidatorJSON | null {
  if (json === undefined) return null;
  const parsed = JSON.parse(json) as ValidatorJSON | null;
  return parsed === null || parsed.type === "any" ? null : parsed;
}

function register(modulePath: string, name: string, value: ConvexExport): RegisteredFunction | null {
  const kind: FunctionKind | null = value.isQuery ? "query" : value.isMutation ? "mutation" : value.isAction ? "action" : null;
  if (kind === null) return null;
  const invoke =
    kind === "query"
      ? (argsJson: string) => value.invokeQuery!(argsJson)
      : kind === "mutation"
        ? (argsJson: string) => value.invokeMutation!(argsJson)
        : (argsJson: string, requestId: string) => value.invokeAction!(requestId, argsJson);
  return {
    path: `${modulePath}:${name}`,
    kind,
    visibility: value.isInternal ? "internal" : "public",
    args: parseValidator(value.exportArgs?.()),
    returns: parseValidator(value.exportReturns?.()),
    invoke,
  };
}

export async function loadModules(functionsDir: string): Promise<LoadedModules> {
  const functions = new Map<string, RegisteredFunction>();
  const defaultExports = new Map<string, unknown>();
  for (const [modulePath, file] of listModules(functionsDir)) {
    const exports = await importModule(file);
    for (const [name, value] of Object.entries(exports)) {
      if (name === "default") defaultExports.set(modulePath, value);
      if (typeof value !== "function") continue;
      const fn = register(modulePath, name, value as ConvexExport);
      if (fn) functions.set(fn.path, fn);
    }
  }
  return { functions, defaultExports };
}
