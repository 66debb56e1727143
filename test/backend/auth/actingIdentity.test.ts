import { describe, expect, it } from "vitest";
import { actingIdentityFrom } from "../../../src/backend/auth/actingIdentity.ts";

describe("acting as a user with the admin key", () => {
  it("builds the tokenIdentifier from issuer and subject when the client sends none", () => {
    expect(actingIdentityFrom({ subject: "u1", issuer: "https://i.test", name: "Ada", permissions: ["write:chat"] })).toEqual({
      ok: true,
      identity: {
        tokenIdentifier: "https://i.test|u1",
        issuer: "https://i.test",
        subject: "u1",
        name: "Ada",
        permissions: ["write:chat"],
      },
    });
  });

  it("refuses attributes without an issuer and subject", () => {
    expect(actingIdentityFrom({ name: "nobody" })).toEqual({
      ok: false,
      error: "the identity to act as must have a non-empty issuer and subject",
    });
    expect(actingIdentityFrom("u1").ok).toBe(false);
  });
});
