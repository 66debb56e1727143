// One build of the viewer page with Vite, to any folder: web/dist for
// `npm run demo`, a temporary folder for the browser tests.
import { fileURLToPath } from "node:url";
import { build } from "vite";

const CONFIG_FILE = fileURLToPath(new URL("../vite.config.ts", import.meta.url));

export async function buildViewerPage(outDir: string): Promise<void> {
  await build({ configFile: CONFIG_FILE, build: { outDir, emptyOutDir: true }, logLevel: "warn" });
}
