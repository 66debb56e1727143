// Field readers for strict decoding. Each returns the field or records why
// it is wrong in a `FieldErrors` and returns a placeholder, so a decoder can
// read every field in order and report the first problem without throwing.
import type { JSONValue } from "convex/values";
import { decodeTs } from "./timestamp.ts";

export type JsonObject = { readonly [key: string]: JSONValue };

export class FieldErrors {
  first: string | null = null;

  constructor(private readonly where: string) {}

  fail(field: string, expected: string): void {
    const path = field === "" ? this.where : `${this.where}.${field}`;
    this.first ??= `${path} must be ${expected}`;
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A u32-sized non-negative integer: versions, query ids and request ids are u32/u64 on the server. */
function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

export function readString(obj: JsonObject, field: string, errors: FieldErrors): string {
  const value = obj[field];
  if (typeof value === "string") return value;
  errors.fail(field, "a string");
  return "";
}

export function readOptionalString(obj: JsonObject, field: string, errors: FieldErrors): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  errors.fail(field, "a string when present");
  return undefined;
}

export function readNullableString(obj: JsonObject, field: string, errors: FieldErrors): string | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  errors.fail(field, "a string or null");
  return null;
}

export function readCount(obj: JsonObject, field: string, errors: FieldErrors): number {
  const value = obj[field];
  if (isNonNegativeInteger(value)) return value;
  errors.fail(field, "a non-negative integer");
  return 0;
}

export function readOptionalNumber(obj: JsonObject, field: string, errors: FieldErrors): number | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  errors.fail(field, "a finite number when present");
  return undefined;
}

export function readBoolean(obj: JsonObject, field: string, errors: FieldErrors): boolean {
  const value = obj[field];
  if (typeof value === "boolean") return value;
  errors.fail(field, "a boolean");
  return false;
}

export function readArray(obj: JsonObject, field: string, errors: FieldErrors): JSONValue[] {
  const value = obj[field];
  if (Array.isArray(value)) return value;
  errors.fail(field, "an array");
  return [];
}

export function readStringArray(obj: JsonObject, field: string, errors: FieldErrors): string[] {
  const value = obj[field];
  if (Array.isArray(value) && value.every((line) => typeof line === "string")) return value as string[];
  errors.fail(field, "an array of strings");
  return [];
}

export function readTs(obj: JsonObject, field: string, errors: FieldErrors): bigint {
  const ts = decodeTs(obj[field]);
  if (ts !== null) return ts;
  errors.fail(field, "a u64 timestamp (base64 of 8 little-endian bytes)");
  return 0n;
}

export function readOptionalTs(obj: JsonObject, field: string, errors: FieldErrors): bigint | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  return readTs(obj, field, errors);
}

/** `undefined` when absent: the client tells "no errorData" from "errorData: null". */
export function readOptionalJson(obj: JsonObject, field: string): JSONValue | undefined {
  return obj[field];
}
