// Server → client frames. Two encoders:
//  - `encodeServerMessage`, the plain one, for anything sent to one receiver;
//  - the Transition fast path (`encodeModificationBody` + `encodeTransitionFrame`):
//    a query result shared by many receivers is serialized ONCE into a body
//    string, and each receiver's frame is that body spliced after its own
//    queryId — no per-receiver JSON.stringify of the value.
// And one strict decoder, `decodeServerMessage`, for the lean client.
import type { JSONValue } from "convex/values";
import {
  FieldErrors,
  isObject,
  readArray,
  readBoolean,
  readCount,
  readNullableString,
  readOptionalJson,
  readOptionalNumber,
  readString,
  readStringArray,
  readTs,
  type JsonObject,
} from "./fields.ts";
import type { Decoded, ServerMessage, StateModification, StateVersion } from "./messages.ts";
import { encodeTs } from "./timestamp.ts";

type QueryResultModification = Exclude<StateModification, { type: "QueryRemoved" }>;
export type ModificationBody =
  | Omit<Extract<QueryResultModification, { type: "QueryUpdated" }>, "queryId">
  | Omit<Extract<QueryResultModification, { type: "QueryFailed" }>, "queryId">;

export function encodeServerMessage(message: ServerMessage): string {
  switch (message.type) {
    case "Transition":
      return encodeTransitionFrame(
        message.startVersion,
        message.endVersion,
        message.modifications.map(encodeModification),
        message.clientClockSkew,
        message.serverTs,
      );
    case "MutationResponse":
      return message.success ? JSON.stringify({ ...message, ts: encodeTs(message.ts) }) : JSON.stringify(message);
    case "TransitionChunk":
    case "ActionResponse":
    case "AuthError":
    case "FatalError":
    case "Ping":
      return JSON.stringify(message);
    default:
      message satisfies never;
      throw new Error("unreachable");
  }
}

/** A QueryUpdated/QueryFailed minus its queryId: `"type":…}` — the shared tail of the object. */
export function encodeModificationBody(body: ModificationBody): string {
  const tail = JSON.stringify(body);
  // `{"type":…}` → `"type":…}`; spliced after `{"queryId":N,` per receiver.
  return tail.slice(1);
}

/** One receiver's modification from a shared body. */
export function joinModification(queryId: number, body: string): string {
  return `{"queryId":${queryId},${body}`;
}

export function encodeQueryRemoved(queryId: number): string {
  return `{"type":"QueryRemoved","queryId":${queryId}}`;
}

function encodeModification(modification: StateModification): string {
  if (modification.type === "QueryRemoved") return encodeQueryRemoved(modification.queryId);
  const { queryId, ...body } = modification;
  return joinModification(queryId, encodeModificationBody(body));
}

function encodeVersion(version: StateVersion): string {
  return `{"querySet":${version.querySet},"identity":${version.identity},"ts":"${encodeTs(version.ts)}"}`;
}

/** A whole Transition frame from already-encoded modifications. */
export function encodeTransitionFrame(
  startVersion: StateVersion,
  endVersion: StateVersion,
  modifications: readonly string[],
  clientClockSkew?: number,
  serverTs?: number,
): string {
  let frame =
    `{"type":"Transition","startVersion":${encodeVersion(startVersion)},` +
    `"endVersion":${encodeVersion(endVersion)},"modifications":[${modifications.join(",")}]`;
  if (clientClockSkew !== undefined) frame += `,"clientClockSkew":${JSON.stringify(clientClockSkew)}`;
  if (serverTs !== undefined) frame += `,"serverTs":${JSON.stringify(serverTs)}`;
  return frame + "}";
}

export function decodeServerMessage(text: string): Decoded<ServerMessage> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: { kind: "invalidJson", message: `frame is not JSON: ${(error as Error).message}` } };
  }
  if (!isObject(parsed) || typeof parsed.type !== "string") {
    return invalid("a server message must be a JSON object with a string `type`");
  }
  const errors = new FieldErrors(parsed.type);
  const message = decodeByType(parsed.type, parsed, errors);
  if (message === null) return invalid(`unknown server message type "${parsed.type}"`);
  if (errors.first !== null) return invalid(errors.first);
  return { ok: true, message };
}

function decodeByType(type: string, obj: JsonObject, errors: FieldErrors): ServerMessage | null {
  switch (type) {
    case "Transition": {
      const clientClockSkew = readOptionalNumber(obj, "clientClockSkew", errors);
      const serverTs = readOptionalNumber(obj, "serverTs", errors);
      return {
        type: "Transition",
        startVersion: decodeVersion(obj.startVersion, new FieldErrors("Transition.startVersion"), errors),
        endVersion: decodeVersion(obj.endVersion, new FieldErrors("Transition.endVersion"), errors),
        modifications: readArray(obj, "modifications", errors).map((m, i) =>
          decodeStateModification(m, new FieldErrors(`Transition.modifications[${i}]`), errors),
        ),
        ...(clientClockSkew === undefined ? {} : { clientClockSkew }),
        ...(serverTs === undefined ? {} : { serverTs }),
      };
    }
    case "TransitionChunk":
      return {
        type: "TransitionChunk",
        chunk: readString(obj, "chunk", errors),
        partNumber: readCount(obj, "partNumber", errors),
        totalParts: readCount(obj, "totalParts", errors),
        transitionId: readString(obj, "transitionId", errors),
      };
    case "MutationResponse":
    case "ActionResponse":
      return decodeResponse(type, obj, errors);
    case "AuthError":
      return {
        type: "AuthError",
        error: readString(obj, "error", errors),
        // Convex omits these from AuthErrors not tied to an identity version.
        baseVersion: obj.baseVersion === undefined || obj.baseVersion === null ? 0 : readCount(obj, "baseVersion", errors),
        authUpdateAttempted: obj.authUpdateAttempted === true,
      };
    case "FatalError":
      return { type: "FatalError", error: readString(obj, "error", errors) };
    case "Ping":
      return { type: "Ping" };
    default:
      return null;
  }
}

function decodeResponse(
  type: "MutationResponse" | "ActionResponse",
  obj: JsonObject,
  errors: FieldErrors,
): ServerMessage {
  const requestId = readCount(obj, "requestId", errors);
  const logLines = readStringArray(obj, "logLines", errors);
  if (readBoolean(obj, "success", errors)) {
    const result: JSONValue = obj.result ?? null;
    return type === "MutationResponse"
      ? { type, requestId, success: true, result, logLines, ts: readTs(obj, "ts", errors) }
      : { type, requestId, success: true, result, logLines };
  }
  const errorData = readOptionalJson(obj, "errorData");
  return {
    type,
    requestId,
    success: false,
    result: readString(obj, "result", errors),
    logLines,
    ...(errorData === undefined ? {} : { errorData }),
  };
}

function decodeVersion(value: unknown, errors: FieldErrors, outer: FieldErrors): StateVersion {
  if (!isObject(value)) {
    errors.fail("", "an object");
    outer.first ??= errors.first;
    return { querySet: 0, identity: 0, ts: 0n };
  }
  const version = {
    querySet: readCount(value, "querySet", errors),
    identity: readCount(value, "identity", errors),
    ts: readTs(value, "ts", errors),
  };
  outer.first ??= errors.first;
  return version;
}

function decodeStateModification(value: JSONValue, errors: FieldErrors, outer: FieldErrors): StateModification {
  const modification = readStateModification(value, errors);
  outer.first ??= errors.first;
  return modification;
}

function readStateModification(value: JSONValue, errors: FieldErrors): StateModification {
  if (!isObject(value)) {
    errors.fail("", "an object");
    return { type: "QueryRemoved", queryId: 0 };
  }
  const queryId = readCount(value, "queryId", errors);
  switch (value.type) {
    case "QueryRemoved":
      return { type: "QueryRemoved", queryId };
    case "QueryUpdated":
      return {
        type: "QueryUpdated",
        queryId,
        value: value.value ?? null,
        logLines: readStringArray(value, "logLines", errors),
        journal: readNullableString(value, "journal", errors),
      };
    case "QueryFailed": {
      const errorData = readOptionalJson(value, "errorData");
      return {
        type: "QueryFailed",
        queryId,
        errorMessage: readString(value, "errorMessage", errors),
        logLines: readStringArray(value, "logLines", errors),
        journal: readNullableString(value, "journal", errors),
        ...(errorData === undefined ? {} : { errorData }),
      };
    }
    default:
      errors.fail("type", `"QueryUpdated", "QueryFailed" or "QueryRemoved"`);
      return { type: "QueryRemoved", queryId };
  }
}

function invalid(message: string): Decoded<never> {
  return { ok: false, error: { kind: "invalidMessage", message } };
}
