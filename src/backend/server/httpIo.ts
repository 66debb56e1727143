// Reading request bodies (size-limited) and writing JSON answers.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpErrorBody } from "../../protocol/http/index.ts";

export type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: 400 | 413; readonly body: HttpErrorBody };

/** Reads and parses a JSON body of at most `limitBytes`; an empty body reads as `{}`. */
export function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<BodyResult> {
  const tooLarge: BodyResult = {
    ok: false,
    status: 413,
    body: { code: "RequestTooLarge", message: `The request body is larger than ${limitBytes} bytes.` },
  };
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limitBytes) {
    request.resume(); // discard, so the response can still be written
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    request.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limitBytes) {
        chunks.length = 0;
        request.resume();
        settle(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => settle(parseJson(Buffer.concat(chunks).toString("utf8"))));
    request.on("error", () =>
      settle({ ok: false, status: 400, body: { code: "BadRequest", message: "The request body could not be read." } }),
    );
  });
}

function parseJson(text: string): BodyResult {
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, body: { code: "BadJsonBody", message: "The request body is not valid JSON." } };
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  response.end(text);
}

export function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { code, message } satisfies HttpErrorBody);
}

/** The path of a request URL, without trailing slashes; null when the URL cannot be parsed. */
export function requestPath(url: string | undefined): string | null {
  try {
    return new URL(url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
  } catch {
    return null;
  }
}
