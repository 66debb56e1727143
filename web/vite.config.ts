// Builds the viewer page (web/) into web/dist (or the outDir a caller passes).
// No React plugin: Vite 8 compiles .tsx with its built-in Oxc transform
// (automatic JSX runtime); fast refresh is not needed for a demo page.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  // Relative asset URLs, so the page works under any path the server mounts it at.
  base: "./",
  oxc: { jsx: { runtime: "automatic" } },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  logLevel: "warn",
});
