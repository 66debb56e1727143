// Client → server frames: encoding (for the lean client) and strict decoding
// (for the server). Decoding never throws; a malformed frame is a
// `DecodeError` the caller answers with a FatalError. Unknown extra fields are
// ignored (a newer client may add some); missing or mistyped ones are errors.
// Switches over a decoded union end in `satisfies never`; switches over the
// peer's raw strings end in a default that reports the unknown value.
import type { JSONValue } from "convex/values";
import {
  FieldErrors,
  isObject,
  readArray,
  readCount,
  readNullableString,
  readOptionalNumber,
  readOptionalString,
  readOptionalTs,
  readString,
  type JsonObject,
} from "./fields.ts";
import type {
  AddQuery,
  Authenticate,
  ClientMessage,
  Decoded,
  ImpersonatedIdentity,
  QuerySetModification,
} from "./messages.ts";
import { encodeTs } from "./timestamp.ts";

export function encodeClientMessage(message: ClientMessage): string {
  switch (message.type) {
    case "Connect":
      return JSON.stringify({
        ...message,
        maxObservedTimestamp:
          message.maxObservedTimestamp === undefined ? undefined : encodeTs(message.maxObservedTimestamp),
      });
    case "Authenticate":
    case "ModifyQuerySet":
    case "Mutation":
    case "Action":
    case "Event":
      return JSON.stringify(message);
    default:
      message satisfies never;
      throw new Error("unreachable");
  }
}

export function decodeClientMessage(text: string): Decoded<ClientMessage> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: { kind: "invalidJson", message: `frame is not JSON: ${(error as Error).message}` } };
  }
  if (!isObject(parsed)) return invalid("a client message must be a JSON object");
  const type = parsed.type;
  if (typeof type !== "string") return invalid("a client message needs a string `type`");
  const errors = new FieldErrors(type);
  const message = decodeByType(type, parsed, errors);
  if (message === null) return invalid(`unknown client message type "${type}"`);
  if (errors.first !== null) return invalid(errors.first);
  return { ok: true, message };
}

function decodeByType(type: string, obj: JsonObject, errors: FieldErrors): ClientMessage | null {
  switch (type) {
    case "Connect": {
      const maxObservedTimestamp = readOptionalTs(obj, "maxObservedTimestamp", errors);
      const clientTs = readOptionalNumber(obj, "clientTs", errors);
      return {
        type: "Connect",
        sessionId: readString(obj, "sessionId", errors),
        connectionCount: readCount(obj, "connectionCount", errors),
        lastCloseReason: readNullableString(obj, "lastCloseReason", errors),
        ...(maxObservedTimestamp === undefined ? {} : { maxObservedTimestamp }),
        ...(clientTs === undefined ? {} : { clientTs }),
      };
    }
    case "Authenticate":
      return decodeAuthenticate(obj, errors);
    case "ModifyQuerySet":
      return {
        type: "ModifyQuerySet",
        baseVersion: readCount(obj, "baseVersion", errors),
        newVersion: readCount(obj, "newVersion", errors),
        modifications: readArray(obj, "modifications", errors).map((m, i) =>
          decodeModification(m, new FieldErrors(`ModifyQuerySet.modifications[${i}]`), errors),
        ),
      };
    case "Mutation":
    case "Action": {
      const componentPath = readOptionalString(obj, "componentPath", errors);
      return {
        type,
        requestId: readCount(obj, "requestId", errors),
        udfPath: readString(obj, "udfPath", errors),
        args: readArray(obj, "args", errors),
        ...(componentPath === undefined ? {} : { componentPath }),
      };
    }
    case "Event":
      return {
        type: "Event",
        eventType: readString(obj, "eventType", errors),
        event: obj.event ?? null,
      };
    default:
      return null;
  }
}

function decodeAuthenticate(obj: JsonObject, errors: FieldErrors): Authenticate {
  const baseVersion = readCount(obj, "baseVersion", errors);
  switch (obj.tokenType) {
    case "None":
      return { type: "Authenticate", tokenType: "None", baseVersion };
    case "User":
      return { type: "Authenticate", tokenType: "User", baseVersion, value: readString(obj, "value", errors) };
    case "Admin": {
      const value = readString(obj, "value", errors);
      const impersonating = obj.impersonating;
      if (impersonating === undefined || impersonating === null) {
        return { type: "Authenticate", tokenType: "Admin", baseVersion, value };
      }
      if (!isObject(impersonating)) errors.fail("impersonating", "an object when present");
      return {
        type: "Authenticate",
        tokenType: "Admin",
        baseVersion,
        value,
        impersonating: impersonating as ImpersonatedIdentity,
      };
    }
    default:
      errors.fail("tokenType", `"User", "Admin" or "None"`);
      return { type: "Authenticate", tokenType: "None", baseVersion };
  }
}

function decodeModification(value: JSONValue, errors: FieldErrors, outer: FieldErrors): QuerySetModification {
  const modification = readModification(value, errors);
  if (errors.first !== null) outer.first ??= errors.first;
  return modification;
}

function readModification(value: JSONValue, errors: FieldErrors): QuerySetModification {
  if (!isObject(value)) {
    errors.fail("", "an object");
  } else if (value.type === "Remove") {
    return { type: "Remove", queryId: readCount(value, "queryId", errors) };
  } else if (value.type === "Add") {
    const journal = readNullableString(value, "journal", errors);
    const componentPath = readOptionalString(value, "componentPath", errors);
    const add: AddQuery = {
      type: "Add",
      queryId: readCount(value, "queryId", errors),
      udfPath: readString(value, "udfPath", errors),
      args: readArray(value, "args", errors),
      journal,
      ...(componentPath === undefined ? {} : { componentPath }),
    };
    return add;
  } else {
    errors.fail("type", `"Add" or "Remove"`);
  }
  return { type: "Remove", queryId: 0 };
}

function invalid(message: string): Decoded<never> {
  return { ok: false, error: { kind: "invalidMessage", message } };
}
