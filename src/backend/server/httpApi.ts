// The HTTP API: Convex's query / mutation / action endpoints as
// ConvexHttpClient 1.48 calls them, plus csn-rt's admin clock control.
//
//   POST /api/query | /api/mutation | /api/action   {path, args, format?}
//        200 {status:"success", value, logLines} | 200 {status:"error", errorMessage, errorData?, logLines}
//        400 bad body · 401 bad token or admin key · 413 body too large
//   POST /api/query_ts                 200 {ts}          (consistentQuery)
//   POST /api/query_at_ts              as /api/query at ts; 400 OutOfRetention once a later commit exists
//   GET  /version                      200 "csn-rt"
//   GET  /api/csn-rt/clock             200 {mode, now}
//   POST /api/csn-rt/clock/advance     {ms}, admin key only; 400 when the clock is real
//   GET  /api/csn-rt/health?since=<ms> admin key only; the process's per-second health (protocol/http/health.ts)
//   anything else                      404 {code, message} (405 for a known path with another method)
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  decodeClockAdvance,
  decodeUdfAtTsRequest,
  decodeUdfRequest,
  exportClean,
  HTTP_ROUTES,
  parseAuthorizationHeader,
  type BackendHealthResponse,
  type ClockState,
  type UdfRequest,
  type UdfResponse,
} from "../../protocol/http/index.ts";
import { encodeTs } from "../../protocol/sync/index.ts";
import type { Authenticator, Engine, FunctionOutcome } from "../contracts.ts";
import { identityForAuthorization } from "./credentials.ts";
import type { HealthMonitor } from "./healthMonitor.ts";
import type { ConnectionIdentity } from "./identity.ts";
import { readJsonBody, requestPath, sendError, sendJson } from "./httpIo.ts";
import type { ServerCounters } from "./stats.ts";

export type HttpContext = {
  readonly engine: Engine;
  readonly authenticator: Authenticator;
  readonly health: Pick<HealthMonitor, "since">;
  readonly counters: ServerCounters;
  readonly maxBodyBytes: number;
  readonly onInternalError?: (error: unknown) => void;
};

type Handler = (request: IncomingMessage, response: ServerResponse, ctx: HttpContext) => Promise<void> | void;

const ROUTES = new Map<string, { readonly method: "GET" | "POST"; readonly handle: Handler }>([
  [HTTP_ROUTES.query, { method: "POST", handle: (req, res, ctx) => handleUdf("query", req, res, ctx) }],
  [HTTP_ROUTES.mutation, { method: "POST", handle: (req, res, ctx) => handleUdf("mutation", req, res, ctx) }],
  [HTTP_ROUTES.action, { method: "POST", handle: (req, res, ctx) => handleUdf("action", req, res, ctx) }],
  [HTTP_ROUTES.queryTs, { method: "POST", handle: (_req, res, ctx) => sendJson(res, 200, { ts: encodeTs(ctx.engine.latestTs) }) }],
  [HTTP_ROUTES.queryAtTs, { method: "POST", handle: handleQueryAtTs }],
  [HTTP_ROUTES.version, { method: "GET", handle: handleVersion }],
  [HTTP_ROUTES.clock, { method: "GET", handle: (_req, res, ctx) => sendJson(res, 200, clockState(ctx.engine)) }],
  [HTTP_ROUTES.clockAdvance, { method: "POST", handle: handleClockAdvance }],
  [HTTP_ROUTES.health, { method: "GET", handle: handleHealth }],
]);

/** The request listener. Every failure is answered here; none escapes to the process. */
export function createHttpHandler(ctx: HttpContext): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    ctx.counters.httpRequests += 1;
    const path = requestPath(request.url);
    if (path === null) {
      request.resume();
      return sendError(response, 400, "BadRequest", "The request URL could not be parsed.");
    }
    const route = ROUTES.get(path);
    if (route === undefined) {
      request.resume();
      return sendError(response, 404, "NotFound", `There is no ${request.method} ${path} on this backend.`);
    }
    if (request.method !== route.method) {
      request.resume();
      response.setHeader("Allow", route.method);
      return sendError(response, 405, "MethodNotAllowed", `${path} answers ${route.method}, not ${request.method}.`);
    }
    Promise.resolve()
      .then(() => route.handle(request, response, ctx))
      .catch((error: unknown) => {
        ctx.counters.internalErrors += 1;
        ctx.onInternalError?.(error);
        sendError(response, 500, "InternalServerError", "The backend failed while handling this request.");
      });
  };
}

type UdfKind = "query" | "mutation" | "action";

async function handleUdf(kind: UdfKind, request: IncomingMessage, response: ServerResponse, ctx: HttpContext): Promise<void> {
  const prepared = await prepareUdf(request, response, ctx, decodeUdfRequest);
  if (prepared === null) return;
  const { udf, identity } = prepared;
  const outcome = await run(ctx.engine, kind, udf, identity);
  sendJson(response, 200, udfResponse(outcome, udf.format));
}

async function handleQueryAtTs(request: IncomingMessage, response: ServerResponse, ctx: HttpContext): Promise<void> {
  const prepared = await prepareUdf(request, response, ctx, decodeUdfAtTsRequest);
  if (prepared === null) return;
  const { udf, identity } = prepared;
  const run = await ctx.engine.runQuery(udf.path, udf.args, identity.caller);
  // The engine reads only the latest snapshot; an answer at an older ts would be a lie.
  if (run.ts !== udf.ts) {
    return sendError(
      response,
      400,
      "OutOfRetention",
      `csn-rt keeps no history: the query ran at ts ${run.ts}, not the requested ${udf.ts}. Retry with a fresh /api/query_ts.`,
    );
  }
  sendJson(response, 200, udfResponse(run.outcome, udf.format));
}

/** Body + Authorization, answering 4xx itself; null when it did. */
async function prepareUdf<T extends UdfRequest>(
  request: IncomingMessage,
  response: ServerResponse,
  ctx: HttpContext,
  decode: (body: unknown) => { ok: true; value: T } | { ok: false; message: string },
): Promise<{ udf: T; identity: ConnectionIdentity } | null> {
  const body = await readJsonBody(request, ctx.maxBodyBytes);
  if (!body.ok) {
    sendJson(response, body.status, body.body);
    return null;
  }
  const udf = decode(body.value);
  if (!udf.ok) {
    sendError(response, 400, "BadRequest", udf.message);
    return null;
  }
  const identity = await identityForAuthorization(ctx.authenticator, request.headers.authorization);
  if (!identity.ok) {
    sendError(response, 401, identity.code ?? "Unauthenticated", identity.error);
    return null;
  }
  return { udf: udf.value, identity: identity.identity };
}

async function run(engine: Engine, kind: UdfKind, udf: UdfRequest, identity: ConnectionIdentity): Promise<FunctionOutcome> {
  switch (kind) {
    case "query":
      return (await engine.runQuery(udf.path, udf.args, identity.caller)).outcome;
    case "mutation":
      return (await engine.runMutation(udf.path, udf.args, identity.caller)).outcome;
    case "action":
      return (await engine.runAction(udf.path, udf.args, identity.caller)).outcome;
    default:
      kind satisfies never;
      throw new Error("unreachable");
  }
}

function udfResponse(outcome: FunctionOutcome, format: UdfRequest["format"]): UdfResponse {
  const exportValue = format === "json" ? exportClean : <T>(value: T): T => value;
  if (outcome.ok) return { status: "success", value: exportValue(outcome.value), logLines: outcome.logLines };
  return {
    status: "error",
    errorMessage: outcome.errorMessage,
    ...(outcome.errorData === undefined ? {} : { errorData: exportValue(outcome.errorData) }),
    logLines: outcome.logLines,
  };
}

function handleVersion(_request: IncomingMessage, response: ServerResponse): void {
  const text = "csn-rt";
  response.writeHead(200, { "Content-Type": "text/plain", "Content-Length": text.length });
  response.end(text);
}

async function handleClockAdvance(request: IncomingMessage, response: ServerResponse, ctx: HttpContext): Promise<void> {
  const body = await readJsonBody(request, ctx.maxBodyBytes);
  if (!carriesAdminKey(request, ctx)) {
    return sendError(response, 401, "BadAdminKey", "Moving the clock needs the admin key: Authorization: Convex <admin key>.");
  }
  if (!body.ok) return sendJson(response, body.status, body.body);
  const advance = decodeClockAdvance(body.value);
  if (!advance.ok) return sendError(response, 400, "BadRequest", advance.message);
  if (ctx.engine.clock.mode !== "virtual") {
    return sendError(response, 400, "ClockIsReal", "The backend runs on the real clock; start it with --clock virtual to move time.");
  }
  await ctx.engine.clock.advance(advance.value.ms);
  sendJson(response, 200, clockState(ctx.engine));
}

function handleHealth(request: IncomingMessage, response: ServerResponse, ctx: HttpContext): void {
  request.resume();
  if (!carriesAdminKey(request, ctx)) {
    return sendError(response, 401, "BadAdminKey", "The backend's health needs the admin key: Authorization: Convex <admin key>.");
  }
  const since = new URL(request.url ?? "/", "http://backend").searchParams.get("since");
  const sinceMs = since === null ? 0 : Number(since);
  if (!Number.isFinite(sinceMs)) return sendError(response, 400, "BadRequest", "`since` must be a time in ms since the epoch.");
  const body: BackendHealthResponse = { now: Date.now(), samples: ctx.health.since(sinceMs) };
  sendJson(response, 200, body);
}

/** For csn-rt's own admin endpoints (clock, health): `Authorization: Convex <admin key>`. */
function carriesAdminKey(request: IncomingMessage, ctx: HttpContext): boolean {
  const auth = parseAuthorizationHeader(request.headers.authorization);
  return auth.kind === "admin" && ctx.authenticator.isAdminKey(auth.key);
}

function clockState(engine: Engine): ClockState {
  return { mode: engine.clock.mode, now: engine.clock.now() };
}
