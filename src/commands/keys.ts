// `csn-rt keys`: the signing key behind the load generator's test tokens.
// A real Convex deployment must trust it before `simulate --url` can sign
// viewers in; this command creates the key once, keeps it in a file (0600),
// and prints exactly what to set on the deployment.
import { Command, Option } from "commander";
import { resolve } from "node:path";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";
import { authEnvironment, KeyFileError, loadOrCreateSigningKey, publicJwks } from "../load/tokens.ts";
import type { CommandContext } from "./context.ts";
import { parseUrl } from "./optionParsers.ts";
import { runAction } from "./runAction.ts";
import { DEFAULT_ISSUER, DEFAULT_KEY_FILE } from "./signingAuth.ts";

type KeysFlags = { keyFile: string; issuer: string; format: "env" | "json" | "jwks" };

export function keysCommand(): Command {
  return new Command("keys")
    .description("create (once) the key that signs test tokens, and print how a Convex deployment trusts it")
    .option("--key-file <path>", "where the private key is kept", DEFAULT_KEY_FILE)
    .option("--issuer <url>", "the tokens' issuer; the deployment's CSN_AUTH_ISSUER", DEFAULT_ISSUER)
    .addOption(new Option("--format <format>", "env: npx convex env set commands; json: the variables; jwks: the public key set").choices(["env", "json", "jwks"]).default("env"))
    .action(runAction((ctx, flags: KeysFlags) => keys(ctx, flags)));
}

async function keys(ctx: CommandContext, flags: KeysFlags): Promise<ExitCode> {
  const issuer = parseUrl("--issuer", flags.issuer);
  if (!issuer.ok) throw new CliError(issuer.error, ExitCode.badUsage);
  const path = resolve(ctx.cwd, flags.keyFile);
  let loaded;
  try {
    loaded = await loadOrCreateSigningKey(path);
  } catch (error) {
    const reason = error instanceof KeyFileError ? error.message : String(error);
    throw new CliError(`cannot use the key file ${path}: ${reason}`, ExitCode.badUsage, "point --key-file elsewhere, or remove the damaged file to create a new key");
  }
  const env = authEnvironment(loaded.key, flags.issuer);
  switch (flags.format) {
    case "json":
      ctx.stdout.write(JSON.stringify(env, null, 2) + "\n");
      break;
    case "jwks":
      ctx.stdout.write(JSON.stringify(publicJwks(loaded.key), null, 2) + "\n");
      break;
    case "env":
      ctx.stderr.write(`${loaded.created ? "created" : "using"} ${path}\n`);
      ctx.stderr.write("Make the deployment trust the load generator's tokens (then redeploy convex/ if it was deployed before):\n");
      for (const [name, value] of Object.entries(env)) ctx.stdout.write(`npx convex env set ${name} '${value}'\n`);
      break;
    default:
      flags.format satisfies never;
  }
  return ExitCode.pass;
}
