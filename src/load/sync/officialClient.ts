// A sample of viewers runs the official `convex` ConvexClient, so every
// report compares the lean client's figures with what a real app would see.
// It does not expose server timestamps, so freshness-by-ts checks use the
// lean clients only.
import { ConvexClient } from "convex/browser";
import { ConvexError, type JSONValue } from "convex/values";
import { makeFunctionReference } from "convex/server";
import WebSocket from "ws";
import type { ConnectOptions, MutationOutcome, QueryUpdate, SubscribeMode, VirtualClient } from "../virtualClient.ts";
import { textResult } from "./leanFrame.ts";
import { MutationError } from "./syncSession.ts";

export class OfficialClient implements VirtualClient {
  readonly kind = "official" as const;
  private readonly client: ConvexClient;
  private connectionCount = 0;

  constructor(private readonly options: ConnectOptions) {
    this.client = new ConvexClient(options.url, {
      webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
      unsavedChangesWarning: false,
      skipConvexDeploymentUrlCheck: true,
    });
    if (options.token !== null) {
      const token = options.token;
      this.client.setAuth(async () => token);
    }
    this.firstOpen = new Promise((resolve) => {
      this.opened = resolve;
    });
    this.client.subscribeToConnectionState((state) => {
      this.connectionCount = state.connectionCount;
      if (state.isWebSocketConnected) this.opened();
    });
    if (this.client.connectionState().isWebSocketConnected) this.opened();
  }

  private readonly firstOpen: Promise<void>;
  private opened: () => void = () => {};

  connected(): Promise<void> {
    return this.firstOpen;
  }

  get reconnects(): number {
    return Math.max(0, this.connectionCount - 1);
  }

  subscribe(udfPath: string, args: Record<string, JSONValue>, mode: SubscribeMode, onUpdate: (update: QueryUpdate) => void): () => void {
    const reference = makeFunctionReference<"query">(udfPath);
    return this.client.onUpdate(
      reference,
      args,
      (value) => {
        const receivedAtUs = this.options.epochMicros();
        onUpdate(mode === "value" ? { receivedAtUs, value: value as JSONValue } : { receivedAtUs, text: textResult(JSON.stringify(value)) });
      },
      (error) => {
        const data = error instanceof ConvexError ? (error.data as JSONValue) : undefined;
        onUpdate({ receivedAtUs: this.options.epochMicros(), error: { message: error.message, ...(data === undefined ? {} : { data }) } });
      },
    );
  }

  async mutation(udfPath: string, args: Record<string, JSONValue>): Promise<MutationOutcome> {
    try {
      return { value: (await this.client.mutation(makeFunctionReference<"mutation">(udfPath), args)) as JSONValue };
    } catch (error) {
      const data = error instanceof ConvexError ? (error.data as JSONValue) : undefined;
      throw new MutationError({ message: (error as Error).message, ...(data === undefined ? {} : { data }) });
    }
  }

  async close(): Promise<void> {
    this.opened();
    await this.client.close();
  }
}
