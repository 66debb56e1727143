// The embedded backend as a child process (`csn-rt serve --data FILE`)
// behind a TcpProxy, so it can be killed with SIGKILL and started again on
// the same data file while its clients keep one address. The proxy also
// cuts connections on demand; the child's memory is read from /proc.
import { readFileSync } from "node:fs";
import { startEmbeddedBackend, type EmbeddedBackend } from "../load/embeddedBackend.ts";
import { TcpProxy } from "./tcpProxy.ts";

export type RestartableOptions = {
  functionsDir: string;
  dataFile: string;
  authEnv: Record<string, string>;
  adminKey: string;
  onLog?: (line: string) => void;
};

export class RestartableBackend {
  private constructor(
    private backend: EmbeddedBackend,
    readonly proxy: TcpProxy,
    private readonly options: RestartableOptions,
  ) {}

  static async start(options: RestartableOptions): Promise<RestartableBackend> {
    const backend = await spawn(options);
    try {
      const proxy = await TcpProxy.start({ targetPort: portOf(backend.url) });
      return new RestartableBackend(backend, proxy, options);
    } catch (error) {
      await backend.stop();
      throw error;
    }
  }

  /** The address clients use (the proxy's). */
  get url(): string {
    return this.proxy.url;
  }

  /** The backend's own address, bypassing the proxy (a slow consumer must reach the backend's socket itself). */
  get directUrl(): string {
    return this.backend.url;
  }

  get adminKey(): string {
    return this.options.adminKey;
  }

  get pid(): number | undefined {
    return this.backend.process.pid;
  }

  /** SIGKILL: nothing in the process can intercept it, flush or close anything. */
  async kill9(): Promise<void> {
    const child = this.backend.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }

  /** Starts the backend again on the same data file; new connections through the proxy reach it. */
  async restart(): Promise<void> {
    this.backend = await spawn(this.options);
    this.proxy.retarget(portOf(this.backend.url));
  }

  /** Resident memory of the backend process, MiB (Linux /proc), or null where unavailable. */
  rssMb(): number | null {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
      const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
      return Number.isFinite(kb) ? kb / 1024 : null;
    } catch {
      return null;
    }
  }

  async stop(): Promise<void> {
    await this.proxy.close();
    await this.backend.stop();
  }
}

function spawn(options: RestartableOptions): Promise<EmbeddedBackend> {
  return startEmbeddedBackend({
    functionsDir: options.functionsDir,
    clock: "real",
    authEnv: options.authEnv,
    adminKey: options.adminKey,
    dataFile: options.dataFile,
    onLog: options.onLog,
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}
