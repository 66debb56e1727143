// How a load command signs its virtual viewers in: a fresh key for the
// embedded backend (started trusting it), or the key file a deployment was
// told to trust (`csn-rt keys`). Shared by simulate and verify-cleanup.
import { resolve } from "node:path";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";
import { generateSigningKey, KeyFileError, loadSigningKey } from "../load/tokens.ts";
import type { CommandContext } from "./context.ts";

export const DEFAULT_KEY_FILE = ".csn-rt/signing-key.json";
export const DEFAULT_ISSUER = "https://csn-rt.local";

export type SigningFlags = { keyFile?: string; issuer?: string; audience?: string };

export async function signingAuth(ctx: CommandContext, flags: SigningFlags, backend: { kind: "embedded" | "remote" }) {
  const issuer = flags.issuer ?? ctx.env.CSN_AUTH_ISSUER ?? DEFAULT_ISSUER;
  const audience = flags.audience ?? ctx.env.CSN_AUTH_AUDIENCE;
  // The embedded backend trusts whatever key it is started with: a fresh one per run.
  if (backend.kind === "embedded") return { key: await generateSigningKey(), issuer, audience };
  const keyFile = resolve(ctx.cwd, flags.keyFile ?? DEFAULT_KEY_FILE);
  try {
    return { key: await loadSigningKey(keyFile), issuer, audience };
  } catch (error) {
    const reason = error instanceof KeyFileError ? error.message : String(error);
    throw new CliError(`cannot use the signing key ${keyFile}: ${reason}`, ExitCode.badUsage, "run csn-rt keys to create one and configure the deployment to trust it (see the README)");
  }
}

/** The rule Ink itself uses (is-in-ci): under it Ink draws only a final frame, so no live display there. */
export function isCi(env: CommandContext["env"]): boolean {
  const set = (name: string) => env[name] !== undefined && env[name] !== "0" && env[name] !== "false";
  return set("CI") || set("CONTINUOUS_INTEGRATION");
}
