// The embedded Convex-compatible backend, assembled: the engine runs the
// functions folder, auth/ verifies tokens against its auth.config.ts, and
// server/ speaks the Convex wire protocols. `csn-rt serve` and the test
// suites start it through here; the CLI's load side only ever talks to it
// over the wire.
import { createAuthenticator, generateAdminKey, loadAuthConfig } from "./auth/index.ts";
import { createEngine, type EngineOptions } from "./engine/index.ts";
import type { EmbeddedEngine } from "./engine/engine.ts";
import { startServer, type RunningServer, type ServerTuning } from "./server/index.ts";

export { DataFileError, guardLoopsIn } from "./engine/index.ts";

export type BackendOptions = {
  functionsDir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  clock: "real" | "virtual";
  /** Reuse a key (e.g. one the parent process generated); a fresh one otherwise. */
  adminKey?: string;
  /** Persist every commit to this file and resume from it (see engine/persistence/); memory only when absent. */
  dataFile?: string;
  /** Environment for function code and auth.config.ts (e.g. CSN_AUTH_ISSUER / CSN_AUTH_JWKS). */
  env?: Record<string, string>;
  engine?: Partial<Omit<EngineOptions, "functionsDir" | "clock" | "env" | "dataFile">>;
  tuning?: Partial<ServerTuning>;
  onInternalError?: (error: unknown) => void;
};

export type RunningBackend = {
  url: string;
  port: number;
  adminKey: string;
  engine: EmbeddedEngine;
  server: RunningServer;
  /** Closes sockets first, then stops the engine's scheduler and crons. */
  close(): Promise<void>;
};

export async function startBackend(options: BackendOptions): Promise<RunningBackend> {
  const engine = await createEngine({
    ...options.engine,
    functionsDir: options.functionsDir,
    clock: options.clock,
    env: options.env,
    dataFile: options.dataFile,
  });
  try {
    // After createEngine: auth.config.ts reads process.env, which now holds options.env.
    const providers = await loadAuthConfig(options.functionsDir);
    const adminKey = options.adminKey ?? generateAdminKey();
    const authenticator = createAuthenticator({ providers, adminKey });
    const server = await startServer({
      engine,
      authenticator,
      host: options.host,
      port: options.port,
      tuning: options.tuning,
      onInternalError: options.onInternalError,
    });
    return {
      url: server.url,
      port: server.port,
      adminKey,
      engine,
      server,
      async close() {
        await server.close();
        await engine.close();
      },
    };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
