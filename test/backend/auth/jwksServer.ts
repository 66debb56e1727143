// A tiny HTTP server on 127.0.0.1 serving fixed JSON documents, counting
// requests per path, so tests can check what the authenticator fetched.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Route = { readonly body: unknown; readonly contentType?: string; readonly status?: number };

export type JsonServer = {
  readonly origin: string;
  readonly hits: Map<string, number>;
  readonly routes: Map<string, Route>;
  close(): Promise<void>;
};

export async function startJsonServer(routes: Record<string, Route> = {}): Promise<JsonServer> {
  const table = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = table.get(path);
    if (route === undefined) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response
      .writeHead(route.status ?? 200, { "content-type": route.contentType ?? "application/json" })
      .end(JSON.stringify(route.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    routes: table,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
