import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAuthenticator } from "../../src/backend/auth/index.ts";
import {
  authEnvironment,
  createTokenMinter,
  customJwtProvider,
  generateSigningKey,
  jwksDataUri,
  KeyFileError,
  loadOrCreateSigningKey,
  loadSigningKey,
  publicJwks,
  saveSigningKey,
  type SigningKey,
} from "../../src/load/tokens.ts";

const ISSUER = "https://csn-rt.local";
const AUDIENCE = "csn-rt";
const START_MS = Date.UTC(2026, 0, 15, 12, 0, 0);

let key: SigningKey;
beforeAll(async () => {
  key = await generateSigningKey(new Date(START_MS));
});

describe("minting tokens for virtual users", () => {
  let clockMs = START_MS;
  const now = () => clockMs;
  beforeEach(() => {
    clockMs = START_MS;
  });

  it("a minted token verifies against the key's data: URI and yields the identity with custom claims", async () => {
    const minter = await createTokenMinter({ key, issuer: ISSUER, audience: AUDIENCE, now });
    const auth = createAuthenticator({
      providers: [customJwtProvider(key, { issuer: ISSUER, applicationID: AUDIENCE })],
      adminKey: "csn-rt-local|00",
      now,
    });

    const result = await auth.verifyUserToken(
      await minter.mint({ subject: "mod-1", name: "Moderator", permissions: ["write:chat"], ttlSeconds: 600 }),
    );

    expect(result).toEqual({
      ok: true,
      identity: {
        tokenIdentifier: `${ISSUER}|mod-1`,
        issuer: ISSUER,
        subject: "mod-1",
        name: "Moderator",
        permissions: ["write:chat"],
      },
      expiresAtMs: START_MS + 600_000,
    });
  });

  it("a token carries ES256, the key ID and typ JWT in its header, and iat/exp from the clock", async () => {
    const minter = await createTokenMinter({ key, issuer: ISSUER, now });
    const token = await minter.mint({ subject: "v1" });
    expect(decodeProtectedHeader(token)).toEqual({ alg: "ES256", kid: key.kid, typ: "JWT" });
    expect(decodeJwt(token)).toEqual({ iss: ISSUER, sub: "v1", iat: START_MS / 1000, exp: START_MS / 1000 + 3600 });
  });

  it("minting 10,000 tokens is cached: a second mint of a subject returns the same token while fresh", async () => {
    const minter = await createTokenMinter({ key, issuer: ISSUER, audience: AUDIENCE, now });
    const subjects = Array.from({ length: 10_000 }, (_, i) => `viewer-${i}`);

    const first = await Promise.all(subjects.map((subject) => minter.mint({ subject })));
    clockMs += 30 * 60 * 1000; // half an hour later: still fresh
    const second = await Promise.all(subjects.map((subject) => minter.mint({ subject })));

    expect(new Set(first).size).toBe(10_000);
    expect(second).toEqual(first);
    expect(minter.cacheSize).toBe(10_000);
  });

  it("a token within the refresh margin of its expiry is replaced by a new one", async () => {
    const minter = await createTokenMinter({ key, issuer: ISSUER, now, refreshMarginSeconds: 60 });
    const first = await minter.mintWithExpiry({ subject: "v1" });
    clockMs = first.expiresAtMs - 30_000;

    const second = await minter.mintWithExpiry({ subject: "v1" });

    expect(second.token).not.toBe(first.token);
    expect(second.expiresAtMs).toBe(clockMs - (clockMs % 1000) + 3600_000);
  });

  it("the same subject with other claims or a forced refresh gets a new token", async () => {
    const minter = await createTokenMinter({ key, issuer: ISSUER, now });
    const plain = await minter.mint({ subject: "v1" });
    const moderator = await minter.mint({ subject: "v1", permissions: ["write:chat"] });
    expect(moderator).not.toBe(plain);
    expect(decodeJwt(moderator).permissions).toEqual(["write:chat"]);
    expect(await minter.mint({ subject: "v1", permissions: ["write:chat"] })).toBe(moderator);

    const forced = await minter.mint({ subject: "v1", permissions: ["write:chat"], forceRefresh: true });
    expect(forced).not.toBe(moderator);
    expect(await minter.mint({ subject: "v1", permissions: ["write:chat"] })).toBe(forced);
  });

  it("concurrent mints for one subject share one signature", async () => {
    const minter = await createTokenMinter({ key, issuer: ISSUER, now });
    const [a, b] = await Promise.all([minter.mint({ subject: "v1" }), minter.mint({ subject: "v1" })]);
    expect(a).toBe(b);
  });

  it("bad options and requests are refused with a sentence", async () => {
    await expect(createTokenMinter({ key, issuer: "" })).rejects.toThrow(/issuer must be a non-empty string/);
    await expect(createTokenMinter({ key: { ...key, privateJwk: key.publicJwk }, issuer: ISSUER })).rejects.toThrow(
      /key must be a signing key with its private half/,
    );
    const minter = await createTokenMinter({ key, issuer: ISSUER });
    await expect(minter.mint({ subject: "" })).rejects.toThrow(/subject must be a non-empty string/);
    await expect(minter.mint({ subject: "v", ttlSeconds: 3_600_000 })).rejects.toThrow(/ttlSeconds must be a whole number/);
    await expect(minter.mint({ subject: "v", permissions: "write:chat" as never })).rejects.toThrow(
      /permissions must be an array of strings/,
    );
  });
});

describe("the signing key and its public JWKS", () => {
  it("the JWKS and its data: URI hold only the public key, tagged with kid, alg and use", () => {
    const decoded = JSON.parse(Buffer.from(jwksDataUri(key).split(",")[1], "base64").toString("utf8"));
    expect(jwksDataUri(key)).toMatch(/^data:application\/json;base64,/);
    expect(decoded).toEqual(publicJwks(key));
    expect(decoded.keys).toHaveLength(1);
    expect(decoded.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", kid: key.kid, alg: "ES256", use: "sig" });
    expect("d" in decoded.keys[0]).toBe(false);
  });

  it("the environment for convex/auth.config.ts carries the issuer and the JWKS data: URI", () => {
    expect(authEnvironment(key, ISSUER)).toEqual({ CSN_AUTH_ISSUER: ISSUER, CSN_AUTH_JWKS: jwksDataUri(key) });
  });
});

describe("the key file", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "csn-rt-keys-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("round-trips the key, and only its owner can read it (mode 0600)", async () => {
    const path = join(dir, "nested", "signing-key.json");
    await saveSigningKey(path, key);

    expect(await loadSigningKey(path)).toEqual(key);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ format: "csn-rt-signing-key", version: 1 });
  });

  it("a token minted with a reloaded key verifies against the original JWKS", async () => {
    const path = join(dir, "signing-key.json");
    await saveSigningKey(path, key);
    const minter = await createTokenMinter({ key: await loadSigningKey(path), issuer: ISSUER });
    const auth = createAuthenticator({ providers: [customJwtProvider(key, { issuer: ISSUER })], adminKey: "k" });
    expect((await auth.verifyUserToken(await minter.mint({ subject: "v1" }))).ok).toBe(true);
  });

  it("an existing key file is not replaced unless overwrite is set", async () => {
    const path = join(dir, "signing-key.json");
    await saveSigningKey(path, key);
    const other = await generateSigningKey();

    await expect(saveSigningKey(path, other)).rejects.toThrow(/already exists/);
    expect((await loadSigningKey(path)).kid).toBe(key.kid);
    await saveSigningKey(path, other, { overwrite: true });
    expect((await loadSigningKey(path)).kid).toBe(other.kid);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("a missing, non-JSON or foreign file is refused, saying why", async () => {
    const path = join(dir, "signing-key.json");
    await expect(loadSigningKey(path)).rejects.toThrow(/does not exist/);
    await writeFile(path, "not json");
    await expect(loadSigningKey(path)).rejects.toThrow(/is not valid JSON/);
    await writeFile(path, JSON.stringify({ keys: [key.publicJwk] }));
    await expect(loadSigningKey(path)).rejects.toThrow(KeyFileError);
    await expect(loadSigningKey(path)).rejects.toThrow(/is not a csn-rt signing key: "format" must be/);
  });

  it("loadOrCreateSigningKey creates a key once and reuses it afterwards", async () => {
    const path = join(dir, "signing-key.json");
    const first = await loadOrCreateSigningKey(path);
    const second = await loadOrCreateSigningKey(path);
    expect(first.created).toBe(true);
    expect(second).toEqual({ key: first.key, created: false });
  });
});
