// `.filter(q => …)` expressions, as serialized by filter_builder_impl.ts,
// compiled once per query into a predicate. Semantics follow Convex's
// `Expression::eval` (convex-backend crates/common/src/query.rs): missing
// fields are `undefined`, which sorts below every value; comparisons use the
// index order; arithmetic needs two int64s or two float64s; `and`/`or`/`not`
// and the filter result itself must be booleans.
import { jsonToConvex, type JSONValue } from "convex/values";
import { compareValue, type MaybeValue } from "../values/compare.ts";
import { displayValue } from "../validation/display.ts";
import { readFieldPath } from "../storage/indexKeys.ts";
import type { DocumentValue } from "../values/documents.ts";

type Evaluator = (doc: DocumentValue) => MaybeValue;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function typeName(value: MaybeValue): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "bigint") return "int64";
  if (typeof value === "number") return "float64";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "string") return "string";
  if (value instanceof ArrayBuffer) return "bytes";
  if (Array.isArray(value)) return "array";
  return "object";
}

function evalError(message: string): Error {
  return new Error(message);
}

function asBoolean(value: MaybeValue): boolean {
  if (typeof value === "boolean") return value;
  throw evalError(`Cannot use value ${displayValue(value)} (type ${typeName(value)}) as a Boolean`);
}

/** Decodes a literal; `{$undefined: null}` is how the client spells a missing value. */
export function decodeMaybeValue(json: JSONValue): MaybeValue {
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    const keys = Object.keys(json);
    if (keys.length === 1 && keys[0] === "$undefined") return undefined;
  }
  return jsonToConvex(json);
}

type Arith = { name: string; ints: (l: bigint, r: bigint) => bigint | null; floats: (l: number, r: number) => number };

const ARITHMETIC: Record<string, Arith> = {
  $add: { name: "add", ints: (l, r) => l + r, floats: (l, r) => l + r },
  $sub: { name: "subtract", ints: (l, r) => l - r, floats: (l, r) => l - r },
  $mul: { name: "multiply", ints: (l, r) => l * r, floats: (l, r) => l * r },
  $div: { name: "divide", ints: (l, r) => (r === 0n ? null : l / r), floats: (l, r) => l / r },
  $mod: { name: "mod", ints: (l, r) => (r === 0n ? null : l % r), floats: (l, r) => l % r },
};

const COMPARISONS: Record<string, (c: number) => boolean> = {
  $eq: (c) => c === 0,
  $neq: (c) => c !== 0,
  $lt: (c) => c < 0,
  $lte: (c) => c <= 0,
  $gt: (c) => c > 0,
  $gte: (c) => c >= 0,
};

function compileArithmetic(op: Arith, left: Evaluator, right: Evaluator): Evaluator {
  return (doc) => {
    const l = left(doc);
    const r = right(doc);
    if (typeof l === "bigint" && typeof r === "bigint") {
      const result = op.ints(l, r);
      if (result === null) throw evalError(`Cannot ${op.name} ${l} by zero`);
      if (result < INT64_MIN || result > INT64_MAX) {
        throw evalError(`Cannot ${op.name} ${l} and ${r}: the result is out of range for Int64`);
      }
      return result;
    }
    if (typeof l === "number" && typeof r === "number") return op.floats(l, r);
    throw evalError(
      `Cannot ${op.name} ${displayValue(l)} (type ${typeName(l)}) and ${displayValue(r)} (type ${typeName(r)})`,
    );
  };
}

function compile(expr: JSONValue): Evaluator {
  if (expr === null || typeof expr !== "object" || Array.isArray(expr)) {
    throw new Error(`Invalid filter expression: ${JSON.stringify(expr)}`);
  }
  const [op, operand] = Object.entries(expr)[0] ?? [];
  if (op === "$literal") {
    const value = decodeMaybeValue(operand as JSONValue);
    return () => value;
  }
  if (op === "$field") {
    const path = operand as string;
    return (doc) => readFieldPath(doc, path);
  }
  if (op in COMPARISONS) {
    const test = COMPARISONS[op];
    const [l, r] = (operand as JSONValue[]).map(compile);
    return (doc) => test(compareValue(l(doc), r(doc)));
  }
  if (op in ARITHMETIC) {
    const [l, r] = (operand as JSONValue[]).map(compile);
    return compileArithmetic(ARITHMETIC[op], l, r);
  }
  if (op === "$neg") {
    const inner = compile(operand as JSONValue);
    return (doc) => {
      const x = inner(doc);
      if (typeof x === "bigint") {
        if (x === INT64_MIN) throw evalError(`Cannot negate ${x}: the result is out of range for Int64`);
        return -x;
      }
      if (typeof x === "number") return -x;
      throw evalError(`Cannot negate ${displayValue(x)} (type ${typeName(x)})`);
    };
  }
  if (op === "$and" || op === "$or") {
    const parts = (operand as JSONValue[]).map(compile);
    const stopOn = op === "$or";
    return (doc) => {
      for (const part of parts) if (asBoolean(part(doc)) === stopOn) return stopOn;
      return !stopOn;
    };
  }
  if (op === "$not") {
    const inner = compile(operand as JSONValue);
    return (doc) => !asBoolean(inner(doc));
  }
  throw new Error(`Invalid filter expression operator: ${String(op)}`);
}

/** A compiled `.filter()` predicate over whole documents. */
export function compileFilter(expr: JSONValue): (doc: DocumentValue) => boolean {
  const evaluate = compile(expr);
  return (doc) => asBoolean(evaluate(doc));
}
