import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, test } from "vitest";
import { createTokenMinter, loadSigningKey } from "../../src/load/tokens.ts";
import { runCli } from "../support/cli.ts";

describe("csn-rt keys", () => {
  test("the JWKS it tells the deployment to trust verifies the tokens simulate signs with that key file", async () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), "csn-rt-keys-")), "key.json");
    const run = await runCli(["keys", "--key-file", keyFile, "--format", "json", "--issuer", "https://load.example"]);
    expect(run.code).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const env = JSON.parse(run.stdout) as { CSN_AUTH_ISSUER: string; CSN_AUTH_JWKS: string };
    expect(env.CSN_AUTH_ISSUER).toBe("https://load.example");
    const jwks = JSON.parse(Buffer.from(env.CSN_AUTH_JWKS.split(",")[1], "base64").toString());
    const minter = await createTokenMinter({ key: await loadSigningKey(keyFile), issuer: env.CSN_AUTH_ISSUER });
    const token = await minter.mint({ subject: "sim-viewer-1" });
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: "https://load.example" });
    expect(payload.sub).toBe("sim-viewer-1");
    // A second call keeps the same key.
    const again = await runCli(["keys", "--key-file", keyFile, "--format", "json", "--issuer", "https://load.example"]);
    expect(JSON.parse(again.stdout)).toEqual(env);
  });

  test("a damaged key file is refused with a hint, not replaced", async () => {
    const dir = mkdtempSync(join(tmpdir(), "csn-rt-keys-"));
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "key.json"), "not json");
    const run = await runCli(["keys", "--key-file", join(dir, "key.json")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not valid JSON/);
  });
});
