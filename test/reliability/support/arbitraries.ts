// fast-check arbitraries for Convex function arguments, built from each
// function's exported args validator (ValidatorJSON): values of the right
// shape with hostile content (NaN, ±Infinity, -0, huge and empty strings,
// unicode, lone surrogates, ids of other tables), and values of the wrong
// shape (a field of the wrong type, a missing field, an extra field, any
// object at all).
import fc from "fast-check";
import { jsonToConvex, v, type GenericValidator, type ValidatorJSON, type Value } from "convex/values";

export type Ids = Readonly<Record<string, readonly string[]>>;

const BOUNDARY_NUMBERS = [
  0, -0, 1, -1, 0.5, 89.994, 89.995, 90, 99.999, 100, 100.0001, 1e-300, 5e-324, 1e300, 86_400, 86_401,
  2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER + 2, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
  Date.now(), Date.now() + 10 * 60_000, 1.5, 200, 201,
];

const BOUNDARY_STRINGS = [
  "", " ", "   \t\n", "\u0000", "\u0000nul", "a".repeat(500), "a".repeat(501), " ".repeat(600) + "x", "x".repeat(100_000),
  "🎉".repeat(300), "é\u0301", "\u202eevil", "\ud800", "\udfff lone", "<script>alert(1)</script>", "'; DROP TABLE users; --",
  "web", "1080p", "a".repeat(32), "a".repeat(33), "-web", "WEB_2.0:x", "3f0a6a52-5d0c-4bd4-9d7c-4c2f3a1e9b10",
  "3F0A6A52-5D0C-4BD4-9D7C-4C2F3A1E9B10", "00000000-0000-0000-0000-000000000000", "active", "hidden", "deleted", "live", "ended",
];

const number = fc.oneof(fc.constantFrom(...BOUNDARY_NUMBERS), fc.double(), fc.integer({ min: -1_000_000, max: 1_000_000 }));

function strings(extra: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...BOUNDARY_STRINGS, ...extra) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 60 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
    { weight: 1, arbitrary: fc.uuid() },
  );
}

const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength) as ArrayBuffer);
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
/** Field names Convex accepts (not empty, no leading "$" or "_"). */
const fieldName = fc.oneof(fc.constantFrom("userId", "gameId", "admin", "isAdmin", "user_id", "sessionId", "extra"), fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,12}$/));

/** Any Convex value, nested a little. */
export function anyValue(ids: Ids): fc.Arbitrary<Value> {
  const leaf: fc.Arbitrary<Value> = fc.oneof(fc.constant(null), number, fc.boolean(), strings(allIds(ids)), int64, bytes);
  return fc.letrec<{ value: Value }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(fieldName, tie("value"), { maxKeys: 4 }),
    ),
  })).value;
}

function allIds(ids: Ids): string[] {
  return Object.values(ids).flat();
}

/** Content a well-behaved client sends, so calls get past validation and reach the app's own rules and writes. */
const plausibleNumber = fc.oneof(fc.integer({ min: 0, max: 1200 }), fc.double({ min: 0, max: 1200, noNaN: true }), fc.constant(Date.now()));
function plausibleStrings(extra: readonly string[]): fc.Arbitrary<string> {
  return fc.constantFrom("web", "tv", "ios", "1080p", "hello chat", "gg", "hidden", "active", "deleted", ...extra);
}

/**
 * A value of the validator's shape. Hostile content (the default): anything
 * the validator could let through and more. Plausible: what a real client
 * sends, so the call reaches the app's rules and writes.
 */
export function shaped(validator: ValidatorJSON, ids: Ids, extraStrings: readonly string[], plausible = false): fc.Arbitrary<Value> {
  const recurse = (inner: ValidatorJSON) => shaped(inner, ids, extraStrings, plausible);
  switch (validator.type) {
    case "null":
      return fc.constant(null);
    case "number":
      return plausible ? plausibleNumber : number;
    case "bigint":
      return int64;
    case "boolean":
      return fc.boolean();
    case "string":
      return plausible ? plausibleStrings(extraStrings) : strings(extraStrings);
    case "bytes":
      return bytes;
    case "any":
      return anyValue(ids);
    case "commitTs":
      return int64;
    case "literal":
      return fc.constant(jsonToConvex(validator.value));
    case "id": {
      const own = ids[validator.tableName] ?? [];
      const others = Object.entries(ids).filter(([table]) => table !== validator.tableName).flatMap(([, list]) => list);
      if (plausible && own.length > 0) return fc.constantFrom(...own);
      return fc.oneof(
        { weight: 4, arbitrary: own.length > 0 ? fc.constantFrom(...own) : strings(extraStrings) },
        { weight: 2, arbitrary: others.length > 0 ? fc.constantFrom(...others) : strings(extraStrings) },
        { weight: 1, arbitrary: strings(extraStrings) },
      );
    }
    case "array":
      return fc.array(recurse(validator.value), { maxLength: 5 });
    case "record":
      return fc.dictionary(fieldName, recurse(validator.values.fieldType), { maxKeys: 4 });
    case "object": {
      const fields = Object.entries(validator.value).map(([name, field]) => {
        const value = recurse(field.fieldType);
        return [name, field.optional ? fc.option(value, { nil: undefined, freq: 3 }) : value] as const;
      });
      return fc.record(Object.fromEntries(fields)).map((o) => withoutUndefined(o as Record<string, Value | undefined>));
    }
    case "union":
      return fc.oneof(...validator.value.map(recurse));
    default:
      return validator satisfies never;
  }
}

/**
 * A function's args: mostly right-shaped, otherwise wrong in one of the
 * ways a buggy or hostile client sends — an extra field, a field of another
 * type, a missing field, or an arbitrary object.
 */
export function argsFor(validator: ValidatorJSON | null, ids: Ids, extraStrings: readonly string[]): fc.Arbitrary<Record<string, Value>> {
  const any = fc.dictionary(fieldName, anyValue(ids), { maxKeys: 4 });
  if (validator === null || validator.type !== "object") return any;
  const right = shaped(validator, ids, extraStrings) as fc.Arbitrary<Record<string, Value>>;
  const names = Object.keys(validator.value);
  const withField = (arb: fc.Arbitrary<Record<string, Value>>, value: fc.Arbitrary<Value>, pick: fc.Arbitrary<string>) =>
    fc.tuple(arb, pick, value).map(([args, name, v]) => ({ ...args, [name]: v }));
  const plausible = shaped(validator, ids, extraStrings, true) as fc.Arbitrary<Record<string, Value>>;
  const options: fc.WeightedArbitrary<Record<string, Value>>[] = [
    { weight: 4, arbitrary: plausible },
    { weight: 6, arbitrary: right },
    { weight: 2, arbitrary: withField(right, anyValue(ids), fieldName) },
    { weight: 1, arbitrary: any },
  ];
  if (names.length > 0) {
    options.push({ weight: 2, arbitrary: withField(right, anyValue(ids), fc.constantFrom(...names)) });
    options.push({
      weight: 1,
      arbitrary: fc.tuple(right, fc.constantFrom(...names)).map(([args, name]) => {
        const copy = { ...args };
        delete copy[name];
        return copy;
      }),
    });
  }
  return fc.oneof(...options);
}

function withoutUndefined(o: Record<string, Value | undefined>): Record<string, Value> {
  return Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined)) as Record<string, Value>;
}

/** The validator a ValidatorJSON describes, for checking results with convex-helpers' independent `validate`. */
export function validatorOf(json: ValidatorJSON): GenericValidator {
  switch (json.type) {
    case "null":
      return v.null();
    case "number":
      return v.number();
    case "bigint":
    case "commitTs":
      return v.int64();
    case "boolean":
      return v.boolean();
    case "string":
      return v.string();
    case "bytes":
      return v.bytes();
    case "any":
      return v.any();
    case "literal":
      return v.literal(jsonToConvex(json.value) as string);
    case "id":
      return v.id(json.tableName);
    case "array":
      return v.array(validatorOf(json.value));
    case "record":
      return v.record(validatorOf(json.keys as ValidatorJSON) as never, validatorOf(json.values.fieldType));
    case "object":
      return v.object(
        Object.fromEntries(Object.entries(json.value).map(([name, f]) => [name, f.optional ? v.optional(validatorOf(f.fieldType)) : validatorOf(f.fieldType)])),
      );
    case "union":
      return v.union(...json.value.map(validatorOf));
    default:
      return json satisfies never;
  }
}
