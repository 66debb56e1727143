import { describe, expect, it } from "vitest";
import { generateAdminKey, isAdminKey } from "../../../src/backend/auth/adminKey.ts";

describe("admin keys", () => {
  it("a generated key has the Convex shape <deployment name>|<hex> and is never repeated", () => {
    const keys = new Set(Array.from({ length: 100 }, generateAdminKey));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^csn-rt-local\|[0-9a-f]{64}$/);
  });

  it("only the exact key is accepted", () => {
    const key = generateAdminKey();
    expect(isAdminKey(key, key)).toBe(true);
    for (const wrong of [key.slice(0, -1), `${key}0`, key.toUpperCase(), "", " " + key, generateAdminKey()]) {
      expect(isAdminKey(wrong, key)).toBe(false);
    }
  });

  it("an empty configured key admits nobody, not even an empty candidate", () => {
    expect(isAdminKey("", "")).toBe(false);
  });

  it("a non-string candidate is refused rather than thrown on", () => {
    expect(isAdminKey(undefined as unknown as string, generateAdminKey())).toBe(false);
  });
});
