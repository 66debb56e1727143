import { access } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { AuthConfigError, parseAuthConfig, type AuthProviderConfig } from "./authConfig.ts";

/** The names Convex looks for in the functions directory, in the order we try them. */
const AUTH_CONFIG_FILES = ["auth.config.ts", "auth.config.js"] as const;

/**
 * Imports `<functionsDir>/auth.config.ts` (or `.js`) and returns its
 * providers; none when there is no such file (a deployment without auth).
 * The process runs under tsx, so a TypeScript config imports directly.
 * Environment variables the config reads must be set before this is called.
 * Throws AuthConfigError when the file cannot be imported or is malformed.
 */
export async function loadAuthConfig(functionsDir: string): Promise<AuthProviderConfig[]> {
  const present: string[] = [];
  for (const name of AUTH_CONFIG_FILES) {
    const path = resolve(join(functionsDir, name));
    if (await exists(path)) present.push(path);
  }
  if (present.length === 0) return [];
  if (present.length > 1) {
    throw new AuthConfigError(present[0], [`both ${present.join(" and ")} exist; keep only one`]);
  }
  const path = present[0];
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new AuthConfigError(path, [`it could not be imported: ${messageOf(error)}`]);
  }
  if (!("default" in module) || module.default === undefined) {
    throw new AuthConfigError(path, ["it has no default export (expected `export default { providers: [...] }`)"]);
  }
  return parseAuthConfig(module.default, path);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}
