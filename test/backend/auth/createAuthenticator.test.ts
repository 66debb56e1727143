import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AuthConfigError, createAuthenticator, type AuthProviderConfig } from "../../../src/backend/auth/index.ts";
import type { Authenticator } from "../../../src/backend/contracts.ts";
import { customJwtProvider, generateSigningKey, type SigningKey } from "../../../src/load/keys.ts";
import { createTokenMinter } from "../../../src/load/tokens.ts";
import { startJsonServer, type JsonServer } from "./jwksServer.ts";

const ISSUER = "https://auth.csn-rt.test";
const ADMIN_KEY = "csn-rt-local|" + "ab".repeat(32);
const START_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const START_S = START_MS / 1000;

type TestKey = { readonly privateKey: CryptoKey; readonly jwk: JWK; readonly kid: string; readonly alg: string };

async function testKey(alg: "ES256" | "RS256" | "EdDSA", kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, kid, alg, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

function dataUri(keys: JWK[], mediaType = "application/json"): string {
  return `data:${mediaType};base64,${Buffer.from(JSON.stringify({ keys })).toString("base64")}`;
}

type SignOptions = { readonly alg?: string; readonly kid?: string | null; readonly exp?: number | null };

/** Signs `claims` as given: tests choose exactly which claims are present. */
async function sign(key: TestKey, claims: JWTPayload, options: SignOptions = {}): Promise<string> {
  const header: Record<string, unknown> = { alg: options.alg ?? key.alg, typ: "JWT" };
  if (options.kid !== null) header.kid = options.kid ?? key.kid;
  const payload: JWTPayload = { iss: ISSUER, sub: "user-1", iat: START_S, ...claims };
  if (options.exp !== null) payload.exp = options.exp ?? START_S + 3600;
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}

function expectRefused(result: Awaited<ReturnType<Authenticator["verifyUserToken"]>>, pattern: RegExp): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toMatch(pattern);
  expect(result.error).not.toMatch(/\n\s+at /); // never a stack trace
}

describe("a custom JWT provider with its JWKS in a data: URI", () => {
  let es: TestKey;
  let otherEs: TestKey;
  let rs: TestKey;
  let clockMs = START_MS;
  const now = () => clockMs;
  let auth: Authenticator;

  beforeAll(async () => {
    es = await testKey("ES256", "es-1");
    otherEs = await testKey("ES256", "es-1"); // same kid, different key
    rs = await testKey("RS256", "rs-1");
    auth = createAuthenticator({
      providers: [{ type: "customJwt", issuer: ISSUER, jwks: dataUri([es.jwk, rs.jwk]), algorithm: "ES256" }],
      adminKey: ADMIN_KEY,
      now,
    });
  });
  afterEach(() => {
    clockMs = START_MS;
  });

  it("a minted token verifies and yields the identity with its custom claims", async () => {
    const key: SigningKey = await generateSigningKey();
    const minter = await createTokenMinter({ key, issuer: ISSUER, audience: "csn-rt", now });
    const withKey = createAuthenticator({
      providers: [customJwtProvider(key, { issuer: ISSUER, applicationID: "csn-rt" })],
      adminKey: ADMIN_KEY,
      now,
    });
    const token = await minter.mint({ subject: "viewer-42", name: "Viewer 42", permissions: ["write:chat"] });

    const result = await withKey.verifyUserToken(token);

    expect(result).toEqual({
      ok: true,
      identity: {
        tokenIdentifier: `${ISSUER}|viewer-42`,
        issuer: ISSUER,
        subject: "viewer-42",
        name: "Viewer 42",
        permissions: ["write:chat"],
      },
      expiresAtMs: START_MS + 3600 * 1000,
    });
  });

  it("an expired token is refused, saying when it expired", async () => {
    const token = await sign(es, {}, { exp: START_S - 60 });
    expectRefused(await auth.verifyUserToken(token), /token expired at 2026-01-15T11:59:00\.000Z/);
  });

  it("a token that expired less than the clock tolerance ago is still accepted", async () => {
    const token = await sign(es, {}, { exp: START_S - 3 });
    expect((await auth.verifyUserToken(token)).ok).toBe(true);
  });

  it("the injected clock decides expiry, so a virtual clock can expire a token", async () => {
    const token = await sign(es, {}, { exp: START_S + 120 });
    expect((await auth.verifyUserToken(token)).ok).toBe(true);
    clockMs = START_MS + 10 * 60 * 1000;
    expectRefused(await auth.verifyUserToken(token), /token expired at/);
  });

  it("a token not yet valid (nbf in the future) is refused", async () => {
    const token = await sign(es, { nbf: START_S + 600 });
    expectRefused(await auth.verifyUserToken(token), /not valid before 2026-01-15T12:10:00\.000Z/);
  });

  it("a token issued in the future is refused", async () => {
    const token = await sign(es, { iat: START_S + 600 }, { exp: START_S + 3600 });
    expectRefused(await auth.verifyUserToken(token), /issued in the future/);
  });

  it("a token from another issuer is refused, naming the configured issuers", async () => {
    const token = await sign(es, { iss: "https://evil.example" });
    expectRefused(
      await auth.verifyUserToken(token),
      /issuer "https:\/\/evil\.example" is not one of the configured issuers \("https:\/\/auth\.csn-rt\.test"\)/,
    );
  });

  it("a token signed by another key with the same key ID is refused as a bad signature", async () => {
    const token = await sign(otherEs, {});
    expectRefused(await auth.verifyUserToken(token), /signature does not verify against the JWKS of "https:\/\/auth\.csn-rt\.test"/);
  });

  it("a token whose key ID is not in the JWKS is refused", async () => {
    const token = await sign(es, {}, { kid: "unknown-kid" });
    expectRefused(await auth.verifyUserToken(token), /no key in the JWKS .* has key ID "unknown-kid"/);
  });

  it("a token whose payload was altered after signing is refused", async () => {
    const [header, , signature] = (await sign(es, { name: "Alice" })).split(".");
    const forged = Buffer.from(JSON.stringify({ iss: ISSUER, sub: "admin", iat: START_S, exp: START_S + 3600 })).toString(
      "base64url",
    );
    expectRefused(await auth.verifyUserToken(`${header}.${forged}.${signature}`), /signature does not verify/);
  });

  it("a token signed with another algorithm than the provider's is refused", async () => {
    const token = await sign(rs, {});
    expectRefused(await auth.verifyUserToken(token), /signed with RS256, but the provider for .* accepts only ES256/);
  });

  it("an unsigned token (alg none) is refused", async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const token = `${part({ alg: "none", kid: "es-1" })}.${part({ iss: ISSUER, sub: "u", exp: START_S + 60 })}.`;
    expectRefused(await auth.verifyUserToken(token), /signed with none, but .* accepts only ES256/);
  });

  it("garbage strings are refused as not a JWT", async () => {
    for (const garbage of ["hello", "a.b.c", "a.b", "x.y.z.w.v", `${"x".repeat(70_000)}.a.b`, "Bearer abc"]) {
      expectRefused(await auth.verifyUserToken(garbage), /^not a JWT/);
    }
    expectRefused(await auth.verifyUserToken(""), /no token was given/);
  });

  it("a token without a key ID, expiry or subject is refused, naming what is missing", async () => {
    expectRefused(await auth.verifyUserToken(await sign(es, {}, { kid: null })), /no key ID \(kid\)/);
    expectRefused(await auth.verifyUserToken(await sign(es, {}, { exp: null })), /no expiry \(exp\) claim/);
    expectRefused(await auth.verifyUserToken(await sign(es, { sub: undefined })), /no subject \(sub\) claim/);
  });

  it("the audience is not checked when the provider has no applicationID", async () => {
    const token = await sign(es, { aud: "some-other-app" });
    expect((await auth.verifyUserToken(token)).ok).toBe(true);
  });

  it("the admin key check goes through the authenticator", () => {
    expect(auth.isAdminKey(ADMIN_KEY)).toBe(true);
    expect(auth.isAdminKey(ADMIN_KEY.slice(0, -1))).toBe(false);
  });
});

describe("a custom JWT provider with an applicationID", () => {
  let es: TestKey;
  let auth: Authenticator;
  beforeAll(async () => {
    es = await testKey("ES256", "es-1");
    auth = createAuthenticator({
      providers: [
        { type: "customJwt", issuer: ISSUER, jwks: dataUri([es.jwk]), algorithm: "ES256", applicationID: "csn-rt" },
      ],
      adminKey: ADMIN_KEY,
      now: () => START_MS,
    });
  });

  it("a token for another audience is refused", async () => {
    const token = await sign(es, { aud: "other-app" });
    expectRefused(
      await auth.verifyUserToken(token),
      /audience \["other-app"\] does not include the application ID "csn-rt" configured for issuer/,
    );
  });

  it("a token without an audience is refused", async () => {
    expectRefused(await auth.verifyUserToken(await sign(es, {})), /no audience \(aud\) claim, but issuer .* requires/);
  });

  it("a token whose audiences include the applicationID is accepted", async () => {
    const result = await auth.verifyUserToken(await sign(es, { aud: ["other-app", "csn-rt"] }));
    expect(result.ok).toBe(true);
  });
});

describe("how providers are configured", () => {
  it("the JWKS data: URI may be text/plain with a charset, as the Convex docs show", async () => {
    const es = await testKey("ES256", "k");
    const auth = createAuthenticator({
      providers: [
        { type: "customJwt", issuer: ISSUER, jwks: dataUri([es.jwk], "text/plain;charset=utf-8"), algorithm: "ES256" },
      ],
      adminKey: ADMIN_KEY,
      now: () => START_MS,
    });
    expect((await auth.verifyUserToken(await sign(es, {}))).ok).toBe(true);
  });

  it("an issuer matches without its scheme or with a trailing slash, and the identity keeps the token's iss", async () => {
    const es = await testKey("ES256", "k");
    const auth = createAuthenticator({
      providers: [{ type: "customJwt", issuer: "auth.csn-rt.test/", jwks: dataUri([es.jwk]), algorithm: "ES256" }],
      adminKey: ADMIN_KEY,
      now: () => START_MS,
    });
    const result = await auth.verifyUserToken(await sign(es, { iss: "https://auth.csn-rt.test" }));
    expect(result.ok && result.identity.issuer).toBe("https://auth.csn-rt.test");
  });

  it("with no providers every token is refused", async () => {
    const es = await testKey("ES256", "k");
    const auth = createAuthenticator({ providers: [], adminKey: ADMIN_KEY, now: () => START_MS });
    expectRefused(await auth.verifyUserToken(await sign(es, {})), /no auth providers are configured/);
  });

  it("malformed providers are refused at construction, listing every problem", () => {
    const providers = [
      { type: "customJwt", issuer: ISSUER, jwks: "ftp://keys", algorithm: "HS256" },
      { domain: "https://oidc.example" },
    ] as unknown as AuthProviderConfig[];
    expect(() => createAuthenticator({ providers, adminKey: ADMIN_KEY })).toThrow(AuthConfigError);
    expect(() => createAuthenticator({ providers, adminKey: ADMIN_KEY })).toThrow(
      /providers\[0\]\.algorithm must be "RS256" or "ES256".*providers\[0\]\.jwks must be an http\(s\) URL or a data: URI.*providers\[1\]\.applicationID must be a non-empty string/,
    );
  });

  it("an undecodable JWKS data: URI is refused at construction", () => {
    const providers: AuthProviderConfig[] = [
      { type: "customJwt", issuer: ISSUER, jwks: "data:application/json;base64,%%%", algorithm: "ES256" },
    ];
    expect(() => createAuthenticator({ providers, adminKey: ADMIN_KEY })).toThrow(/JWKS data: URI .* is malformed/);
  });

  it("an empty admin key is refused at construction", () => {
    expect(() => createAuthenticator({ providers: [], adminKey: "" })).toThrow(/admin key must be a non-empty string/);
  });
});

describe("a JWKS fetched from a URL", () => {
  let server: JsonServer;
  afterEach(async () => {
    await server?.close();
  });

  it("is fetched once and reused for later tokens", async () => {
    const es = await testKey("ES256", "k1");
    server = await startJsonServer({ "/jwks.json": { body: { keys: [es.jwk] } } });
    const auth = createAuthenticator({
      providers: [{ type: "customJwt", issuer: ISSUER, jwks: `${server.origin}/jwks.json`, algorithm: "ES256" }],
      adminKey: ADMIN_KEY,
      now: () => START_MS,
    });
    const results = await Promise.all(
      ["a", "b", "c"].map(async (sub) => auth.verifyUserToken(await sign(es, { sub }))),
    );
    results.push(await auth.verifyUserToken(await sign(es, { sub: "d" })));

    expect(results.map((r) => r.ok && r.identity.subject)).toEqual(["a", "b", "c", "d"]);
    expect(server.hits.get("/jwks.json")).toBe(1);
  });

  it("is fetched again when a token names a key it does not have, so rotated keys work", async () => {
    const first = await testKey("ES256", "k1");
    const rotated = await testKey("ES256", "k2");
    server = await startJsonServer({ "/jwks.json": { body: { keys: [first.jwk] } } });
    const auth = createAuthenticator({
      providers: [{ type: "customJwt", issuer: ISSUER, jwks: `${server.origin}/jwks.json`, algorithm: "ES256" }],
      adminKey: ADMIN_KEY,
      now: () => START_MS,
      jwksRefetchCooldownMs: 0,
    });
    expect((await auth.verifyUserToken(await sign(first, {}))).ok).toBe(true);
    server.routes.set("/jwks.json", { body: { keys: [first.jwk, rotated.jwk] } });

    expect((await auth.verifyUserToken(await sign(rotated, {}))).ok).toBe(true);
    expect(server.hits.get("/jwks.json")).toBe(2);
  });

  it("served with a content type other than JSON is refused with the reason", async () => {
    const es = await testKey("ES256", "k1");
    server = await startJsonServer({ "/jwks": { body: { keys: [es.jwk] }, contentType: "text/html" } });
    const auth = createAuthenticator({
      providers: [{ type: "customJwt", issuer: ISSUER, jwks: `${server.origin}/jwks`, algorithm: "ES256" }],
      adminKey: ADMIN_KEY,
      now: () => START_MS,
    });
    expectRefused(await auth.verifyUserToken(await sign(es, {})), /is served as "text\/html"; expected application\/json/);
  });

  it("that cannot be fetched gives a readable error", async () => {
    const es = await testKey("ES256", "k1");
    server = await startJsonServer({});
    const auth = createAuthenticator({
      providers: [{ type: "customJwt", issuer: ISSUER, jwks: `${server.origin}/missing`, algorithm: "ES256" }],
      adminKey: ADMIN_KEY,
      now: () => START_MS,
    });
    expectRefused(await auth.verifyUserToken(await sign(es, {})), /could not fetch the JWKS of .* HTTP 404/);
  });
});

describe("an OIDC provider (domain + applicationID)", () => {
  let server: JsonServer;
  let rs: TestKey;
  let auth: Authenticator;
  beforeAll(async () => {
    rs = await testKey("RS256", "oidc-1");
    server = await startJsonServer({});
    server.routes.set("/.well-known/openid-configuration", {
      body: { issuer: server.origin, jwks_uri: `${server.origin}/keys` },
    });
    server.routes.set("/keys", { body: { keys: [rs.jwk] } });
    auth = createAuthenticator({
      providers: [{ domain: server.origin, applicationID: "csn-web" }],
      adminKey: ADMIN_KEY,
      now: () => START_MS,
    });
    return () => server.close();
  });

  it("finds its keys through discovery and maps the standard claims as Convex does", async () => {
    const token = await sign(rs, {
      iss: server.origin,
      aud: "csn-web",
      given_name: "Ada",
      email: "ada@example.com",
      email_verified: true,
      updated_at: START_S,
      azp: "client",
      team: { id: 7 },
    });

    const result = await auth.verifyUserToken(token);

    expect(result).toEqual({
      ok: true,
      identity: {
        tokenIdentifier: `${server.origin}|user-1`,
        issuer: server.origin,
        subject: "user-1",
        givenName: "Ada",
        email: "ada@example.com",
        emailVerified: true,
        updatedAt: "2026-01-15T12:00:00+00:00",
        team: { id: 7 },
      },
      expiresAtMs: START_MS + 3600 * 1000,
    });
    expect(server.hits.get("/.well-known/openid-configuration")).toBe(1);
  });

  it("refuses a token that does not carry the applicationID as audience", async () => {
    const token = await sign(rs, { iss: server.origin, aud: "another-client" });
    expectRefused(await auth.verifyUserToken(token), /does not include the application ID "csn-web"/);
  });

  it("refuses ES256, which Convex's OIDC verifier does not accept", async () => {
    const es = await testKey("ES256", "oidc-1");
    const token = await sign(es, { iss: server.origin, aud: "csn-web" });
    expectRefused(await auth.verifyUserToken(token), /signed with ES256, but .* accepts only RS256 or EdDSA/);
  });
});
