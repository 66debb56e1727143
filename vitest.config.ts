import { defineConfig } from "vitest/config";

// convex/ functions are tested with convex-test, which must run in the same
// edge-runtime Convex functions get; everything else is plain Node.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "convex",
          include: ["test/convex/**/*.test.ts"],
          environment: "edge-runtime",
          server: { deps: { inline: ["convex-test"] } },
        },
      },
      {
        test: {
          name: "node",
          include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
          exclude: ["test/convex/**", "node_modules/**"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
