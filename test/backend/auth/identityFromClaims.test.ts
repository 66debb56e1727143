import { describe, expect, it } from "vitest";
import { identityFromClaims } from "../../../src/backend/auth/identityFromClaims.ts";

const BASE = { iss: "https://issuer.test", sub: "u1", aud: "app", iat: 1_700_000_000, exp: 1_700_003_600 };

describe("identity from a custom JWT", () => {
  it("keeps every non-registered claim under its own name, as Convex does for custom JWTs", () => {
    const identity = identityFromClaims(
      { ...BASE, nbf: 1, jti: "j", name: "Ada", email_verified: true, permissions: ["write:chat"], count: 3, gone: null },
      "customJwt",
    );
    expect(identity).toEqual({
      tokenIdentifier: "https://issuer.test|u1",
      issuer: "https://issuer.test",
      subject: "u1",
      name: "Ada",
      email_verified: true,
      permissions: ["write:chat"],
      count: 3,
      gone: null,
    });
  });

  it("flattens nested objects into dot-separated names and keeps arrays whole", () => {
    const identity = identityFromClaims(
      { ...BASE, properties: { id: "123", favorite: { color: "red" } }, roles: [{ r: 1 }] },
      "customJwt",
    );
    expect(identity["properties.id"]).toBe("123");
    expect(identity["properties.favorite.color"]).toBe("red");
    expect(identity.roles).toEqual([{ r: 1 }]);
    expect("properties" in identity).toBe(false);
  });

  it("drops Clerk's time-varying fva claim so refreshed tokens give equal identities", () => {
    expect("fva" in identityFromClaims({ ...BASE, fva: [3, -1] }, "customJwt")).toBe(false);
  });

  it("never lets a claim override tokenIdentifier, issuer or subject", () => {
    const identity = identityFromClaims({ ...BASE, tokenIdentifier: "forged", subject: "admin" }, "customJwt");
    expect(identity.tokenIdentifier).toBe("https://issuer.test|u1");
    expect(identity.subject).toBe("u1");
  });

  it("lists fields in a fixed order whatever the claim order", () => {
    const a = identityFromClaims({ ...BASE, zeta: 1, alpha: 2 }, "customJwt");
    const b = identityFromClaims({ alpha: 2, ...BASE, zeta: 1 }, "customJwt");
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(Object.keys(a)).toEqual(["tokenIdentifier", "issuer", "subject", "alpha", "zeta"]);
  });
});

describe("identity from an OIDC token", () => {
  it("maps the standard claims to Convex's camelCase fields", () => {
    const identity = identityFromClaims(
      {
        ...BASE,
        name: "Ada Lovelace",
        given_name: "Ada",
        family_name: "Lovelace",
        nickname: "ada",
        preferred_username: "ada_l",
        profile: "https://p.test/ada",
        picture: "https://p.test/ada.png",
        website: "https://ada.test",
        email: "ada@example.com",
        email_verified: "true",
        gender: "female",
        birthdate: "1815-12-10",
        zoneinfo: "Europe/London",
        locale: "en-GB",
        phone_number: "+44 20 0000 0000",
        phone_number_verified: false,
        address: { formatted: "12 St James's Square, London" },
        updated_at: 1_700_000_000.25,
      },
      "oidc",
    );
    expect(identity).toEqual({
      tokenIdentifier: "https://issuer.test|u1",
      issuer: "https://issuer.test",
      subject: "u1",
      name: "Ada Lovelace",
      givenName: "Ada",
      familyName: "Lovelace",
      nickname: "ada",
      preferredUsername: "ada_l",
      profileUrl: "https://p.test/ada",
      pictureUrl: "https://p.test/ada.png",
      websiteUrl: "https://ada.test",
      email: "ada@example.com",
      emailVerified: true,
      gender: "female",
      birthday: "1815-12-10",
      timezone: "Europe/London",
      language: "en-GB",
      phoneNumber: "+44 20 0000 0000",
      phoneNumberVerified: false,
      address: "12 St James's Square, London",
      updatedAt: "2023-11-14T22:13:20.250+00:00",
    });
  });

  it("drops ID-token housekeeping claims and keeps other claims as they are, unflattened", () => {
    const identity = identityFromClaims(
      { ...BASE, nbf: 1, jti: "j", azp: "c", nonce: "n", auth_time: 1, fva: [1, 2], org: { id: "o1" }, sid: "s" },
      "oidc",
    );
    expect(identity).toEqual({
      tokenIdentifier: "https://issuer.test|u1",
      issuer: "https://issuer.test",
      subject: "u1",
      org: { id: "o1" },
      sid: "s",
    });
  });

  it("formats a whole-second updated_at without a fraction, like Convex's RFC 3339 output", () => {
    expect(identityFromClaims({ ...BASE, updated_at: 1_700_000_000 }, "oidc").updatedAt).toBe(
      "2023-11-14T22:13:20+00:00",
    );
  });
});
