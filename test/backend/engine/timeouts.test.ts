import { describe, expect, it } from "vitest";
import { client, startEngine } from "./harness.ts";

describe("functions that never finish", () => {
  it("stops a mutation that awaits forever after Convex's 1 s limit", async () => {
    const engine = await startEngine();
    const started = performance.now();
    const { message } = await client(engine).mutationError("failures:hangForever");
    const elapsed = performance.now() - started;
    expect(message).toMatch(/Server Error\nFunction execution timed out \(maximum duration: 1s\)$/);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(5000);
    await engine.close();
  });

  it("stops a query that keeps awaiting syscalls", async () => {
    const engine = await startEngine({ functionTimeoutMs: 200 });
    const { message } = await client(engine).queryError("failures:spinOnSyscalls");
    expect(message).toContain("Function execution timed out (maximum duration: 200ms)");
    await engine.close();
  });
});
