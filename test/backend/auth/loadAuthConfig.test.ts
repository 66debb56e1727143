import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuthProvider } from "convex/server";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { AuthConfigError, loadAuthConfig, parseAuthConfig, type AuthProviderConfig } from "../../../src/backend/auth/index.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "csn-rt-auth-config-"));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

const ENV_CONFIG = `export default {
  providers: [
    {
      type: "customJwt",
      issuer: process.env.CSN_TEST_AUTH_ISSUER,
      jwks: process.env.CSN_TEST_AUTH_JWKS,
      algorithm: "ES256",
    },
    { domain: "https://oidc.example.com", applicationID: "csn-web" },
  ],
};
`;

describe("loading convex/auth.config.ts", () => {
  it("a functions directory without an auth config has no providers", async () => {
    expect(await loadAuthConfig(dir)).toEqual([]);
  });

  it("an auth.config.ts that reads environment variables is imported with their values", async () => {
    vi.stubEnv("CSN_TEST_AUTH_ISSUER", "https://csn-rt.local");
    vi.stubEnv("CSN_TEST_AUTH_JWKS", "data:application/json;base64,e30=");
    await writeFile(join(dir, "auth.config.ts"), ENV_CONFIG);

    expect(await loadAuthConfig(dir)).toEqual([
      { type: "customJwt", issuer: "https://csn-rt.local", jwks: "data:application/json;base64,e30=", algorithm: "ES256" },
      { domain: "https://oidc.example.com", applicationID: "csn-web" },
    ]);
  });

  it("an unset environment variable is named as the likely cause", async () => {
    vi.stubEnv("CSN_TEST_AUTH_ISSUER", undefined);
    vi.stubEnv("CSN_TEST_AUTH_JWKS", "data:application/json;base64,e30=");
    await writeFile(join(dir, "auth.config.ts"), ENV_CONFIG);

    await expect(loadAuthConfig(dir)).rejects.toThrow(
      /providers\[0\]\.issuer must be a non-empty string, got undefined \(is the environment variable it reads set\?\)/,
    );
  });

  it("an auth.config.js is found too", async () => {
    await writeFile(
      join(dir, "auth.config.js"),
      `export default { providers: [{ domain: "https://oidc.example.com", applicationID: "x" }] };\n`,
    );
    expect(await loadAuthConfig(dir)).toEqual([{ domain: "https://oidc.example.com", applicationID: "x" }]);
  });

  it("a config without a default export, or one that fails to import, is refused clearly", async () => {
    await writeFile(join(dir, "auth.config.ts"), `export const providers = [];\n`);
    await expect(loadAuthConfig(dir)).rejects.toThrow(/has no default export/);

    await rm(join(dir, "auth.config.ts"));
    await writeFile(join(dir, "auth.config.js"), `throw new Error("boom");\n`);
    await expect(loadAuthConfig(dir)).rejects.toThrow(/could not be imported: boom/);
  });
});

describe("checking an auth config", () => {
  it("a malformed config is refused with every problem named", () => {
    let error: unknown;
    try {
      parseAuthConfig(
        {
          providers: [
            { type: "customJwt", issuer: "https://a.test", jwks: "keys.json", algorithm: "HS256", applicationID: 5 },
            { type: "oauth", domain: "https://b.test" },
            "https://c.test",
            { domain: "not a url at all", applicationID: "x" },
          ],
        },
        "convex/auth.config.ts",
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AuthConfigError);
    expect((error as AuthConfigError).problems).toEqual([
      'providers[0].algorithm must be "RS256" or "ES256", got "HS256"',
      "providers[0].applicationID must be a non-empty string when present, got number 5",
      'providers[0].jwks must be an http(s) URL or a data: URI, got "keys.json"',
      'providers[1].type must be "customJwt" or absent (an OIDC provider), got "oauth"',
      'providers[2] must be an object, got "https://c.test"',
      'providers[3].domain is not a URL: "not a url at all"',
    ]);
  });

  it("a config whose providers is not an array is refused", () => {
    expect(() => parseAuthConfig({ providers: {} }, "auth.config.ts")).toThrow(
      /auth\.config\.ts is not a valid auth config: "providers" must be an array, got an object/,
    );
  });

  it("what convex/server's AuthProvider type allows fits AuthProviderConfig", () => {
    expectTypeOf<AuthProvider>().toExtend<AuthProviderConfig>();
  });
});
