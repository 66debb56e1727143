// The README's "Run against a real Convex deployment" must keep working as the
// code changes. Nothing here can deploy (that needs an account and the
// network); it checks everything short of that: the environment variables the
// README and `csn-rt keys` name are the ones convex/auth.config.ts reads and
// fit Convex's limits on environment variables; auth.config.ts, evaluated
// with exactly the values `keys` tells the user to set, accepts the tokens
// `simulate` signs with that key file (and an audience, when one is set,
// only with --audience); and every `npx convex` and `csn-rt` command the
// README shows exists with the options it uses.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Command } from "commander";
import { describe, expect, test } from "vitest";
import { keysCommand } from "../../src/commands/keys.ts";
import { reportCommand } from "../../src/commands/report.ts";
import { DEFAULT_ISSUER } from "../../src/commands/signingAuth.ts";
import { simulateCommand } from "../../src/commands/simulate.ts";
import { runCli } from "../support/cli.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const AUTH_CONFIG = readFileSync(join(ROOT, "convex/auth.config.ts"), "utf8");

/** The variables convex/auth.config.ts reads. */
const authConfigVariables = [...new Set([...AUTH_CONFIG.matchAll(/process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))];

/** A `## ` section of the README, up to the next one. */
function section(title: string): string {
  const start = README.indexOf(`## ${title}\n`);
  expect(start, `the README has no section "${title}"`).toBeGreaterThanOrEqual(0);
  const end = README.indexOf("\n## ", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** Shell command lines in a section's code blocks (continuations joined, `# ` comments unwrapped), as words. */
function commandLines(text: string, program: RegExp): string[][] {
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].replace(/\\\n\s*/g, " "));
  return blocks
    .flatMap((block) => block.split("\n"))
    .map((line) => line.replace(/^#\s+/, "").replace(/\s+#\s.*$/, "").replace(/\s*\|.*$/, "").trim())
    .filter((line) => program.test(line))
    .flatMap((line) => line.split(/\s*&&\s*/))
    .filter((line) => program.test(line))
    .map((line) => line.match(/'[^']*'|"[^"]*"|\S+/g) ?? []);
}

function optionsOf(command: Command): Set<string> {
  const longs = command.options.map((o) => o.long).filter((l): l is string => l !== undefined);
  return new Set([...longs, ...longs.map((l) => l.replace(/^--no-/, "--"))]);
}

/** What `csn-rt keys --format env` tells the user to run, as NAME → value. */
async function keysEnvironment(keyFile: string, issuer: string): Promise<Record<string, string>> {
  const run = await runCli(["keys", "--key-file", keyFile, "--issuer", issuer]);
  expect(run.code, run.stderr).toBe(0);
  const lines = run.stdout.trim().split("\n");
  const env: Record<string, string> = {};
  for (const line of lines) {
    const match = /^npx convex env set ([A-Za-z][A-Za-z0-9_]*) '([^']*)'$/.exec(line);
    expect(match, `not a single-quoted npx convex env set line: ${line}`).not.toBeNull();
    env[match![1]] = match![2];
  }
  return env;
}

describe("Run against a real Convex deployment", () => {
  const text = section("Run against a real Convex deployment");

  test("names every variable convex/auth.config.ts reads, and keys prints the required ones", async () => {
    expect(authConfigVariables.sort()).toEqual(["CSN_AUTH_AUDIENCE", "CSN_AUTH_ISSUER", "CSN_AUTH_JWKS"]);
    for (const name of authConfigVariables) expect(text, name).toContain(`\`${name}\``);
    const required = [...text.matchAll(/^\| `([A-Z_]+)` \|.*\| required \|$/gm)].map((m) => m[1]).sort();
    const keyFile = join(mkdtempSync(join(tmpdir(), "csn-rt-deploy-")), "key.json");
    const env = await keysEnvironment(keyFile, DEFAULT_ISSUER);
    expect(Object.keys(env).sort()).toEqual(required);
    // The --format json variables are the same ones, with the same values.
    const json = await runCli(["keys", "--key-file", keyFile, "--issuer", DEFAULT_ISSUER, "--format", "json"]);
    expect(JSON.parse(json.stdout)).toEqual(env);
  });

  test("the values keys prints fit Convex's environment variables", async () => {
    // https://docs.convex.dev/production/environment-variables: names up to 256 characters, starting
    // with a letter, of letters, digits and underscores; values up to 8 KiB.
    const keyFile = join(mkdtempSync(join(tmpdir(), "csn-rt-deploy-")), "key.json");
    const env = await keysEnvironment(keyFile, "https://load-tests.example.com");
    for (const [name, value] of Object.entries(env)) {
      expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,255}$/);
      expect(Buffer.byteLength(value), name).toBeLessThanOrEqual(8 * 1024);
    }
    expect(env.CSN_AUTH_JWKS).toMatch(/^data:[^,]*;base64,[A-Za-z0-9+/=]+$/);
  });

  test("auth.config.ts, evaluated with what keys prints, accepts the tokens simulate signs with the key file", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "csn-rt-deploy-"));
    const keyFile = join(dir, "key.json");
    const issuer = "https://load-tests.example.com";
    const env = await keysEnvironment(keyFile, issuer);
    // A fresh process, as a deployment evaluates auth.config.ts with its own environment.
    // .mts: the probe lives outside the package, where .ts would be taken for CommonJS.
    const probe = join(dir, "probe.mts");
    const src = (path: string) => pathToFileURL(join(ROOT, path)).href;
    writeFileSync(
      probe,
      `import { createAuthenticator, loadAuthConfig } from ${JSON.stringify(src("src/backend/auth/index.ts"))};
import { createTokenMinter, loadSigningKey } from ${JSON.stringify(src("src/load/tokens.ts"))};
const providers = await loadAuthConfig(${JSON.stringify(join(ROOT, "convex"))});
const auth = createAuthenticator({ providers, adminKey: "unused" });
const key = await loadSigningKey(${JSON.stringify(keyFile)});
const audience = process.env.PROBE_AUDIENCE || undefined;
const minter = await createTokenMinter({ key, issuer: ${JSON.stringify(issuer)}, audience });
const result = await auth.verifyUserToken(await minter.mint({ subject: "sim-viewer-7", name: "Viewer 7" }));
console.log(JSON.stringify(result.ok ? { ok: true, subject: result.identity.subject } : result));
`,
    );
    const check = (extra: Record<string, string>) => {
      const run = spawnSync(process.execPath, ["--import", "tsx", probe], { cwd: ROOT, env: { PATH: process.env.PATH, ...env, ...extra }, encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout.trim().split("\n").pop()!) as { ok: boolean; subject?: string; error?: string };
    };
    expect(check({})).toEqual({ ok: true, subject: "sim-viewer-7" });
    // The optional audience: required once set, and then simulate must pass --audience.
    expect(check({ CSN_AUTH_AUDIENCE: "csn-load" }).ok).toBe(false);
    expect(check({ CSN_AUTH_AUDIENCE: "csn-load", PROBE_AUDIENCE: "csn-load" })).toEqual({ ok: true, subject: "sim-viewer-7" });
  });

  test("every npx convex command it shows exists with the options used", { timeout: 60_000 }, () => {
    const commands = commandLines(text, /^npx convex /);
    expect(commands.map((c) => c.slice(2, 4).join(" "))).toEqual(expect.arrayContaining(["env set", "deploy"]));
    for (const words of commands) {
      const args = words.slice(2);
      const sub = args.filter((a, i) => i < 2 && /^[a-z]+$/.test(a));
      const help = spawnSync(join(ROOT, "node_modules/.bin/convex"), [...sub, "--help"], { encoding: "utf8" });
      expect(help.status, `npx convex ${sub.join(" ")} --help failed: ${help.stderr}`).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: convex ${sub.join(" ")}\\b`));
      for (const flag of args.filter((a) => a.startsWith("--"))) expect(help.stdout, `npx convex ${sub.join(" ")} has no ${flag}`).toContain(flag);
    }
    // The prose tells dev-checkout users to add --prod to the env commands.
    expect(text).toContain("add `--prod` to the `env`");
    expect(spawnSync(join(ROOT, "node_modules/.bin/convex"), ["env", "set", "--help"], { encoding: "utf8" }).stdout).toContain("--prod");
  });

  test("every csn-rt command in the deployment and shard sections exists with the options used", () => {
    const lines = [
      ...commandLines(text, /^node bin\/csn-rt /),
      ...commandLines(section("Several machines (shards, Kubernetes)"), /^node bin\/csn-rt /),
    ];
    expect(lines.length).toBeGreaterThanOrEqual(5);
    const commands: Record<string, () => Command | undefined> = {
      simulate: simulateCommand,
      keys: keysCommand,
      report: () => undefined,
    };
    for (const words of lines) {
      const [name, sub] = words.slice(2);
      const command = name === "report" ? reportCommand().commands.find((c) => c.name() === sub) : commands[name]?.();
      expect(command, `unknown command: ${words.join(" ")}`).toBeDefined();
      const known = optionsOf(command!);
      for (const flag of words.filter((a) => a.startsWith("--"))) expect(known.has(flag.split("=")[0]), `${name} has no option ${flag}`).toBe(true);
    }
    // The examples use csn-rt's default issuer, so leaving --issuer out stays consistent with them.
    expect(text).toContain(`--issuer ${DEFAULT_ISSUER}`);
  });
});
