// Turns `withIndex(name, q => q.eq(...).gt(...))` range expressions into an
// interval of the index, with Convex's rules and messages
// (`IndexRange::compile` in convex-backend crates/common/src/query.rs):
// equalities on a prefix of the index fields, then at most one field with a
// lower and/or upper bound, all in index order.
import type { JSONValue } from "convex/values";
import type { MaybeValue } from "../values/compare.ts";
import { displayValue } from "../validation/display.ts";
import type { Bound, IndexDefinition, Interval } from "../storage/indexKeys.ts";
import { decodeMaybeValue } from "./filter.ts";

export type RangeExpression = {
  readonly type: "Eq" | "Gt" | "Gte" | "Lt" | "Lte";
  readonly fieldPath: string;
  readonly value: JSONValue;
};

type Inequality = { field: string; lower: Bound | null; upper: Bound | null };

const COMPARATORS = { Gt: ">", Gte: ">=", Lt: "<", Lte: "<=" } as const;

function fieldsText(fields: readonly string[]): string {
  return `[${fields.join(", ")}]`;
}

function alreadyDefined(kind: string, field: string, comparator: string, value: MaybeValue): Error {
  return new Error(
    `Already defined ${kind} bound in index range. Can't add ${JSON.stringify(field)} ${comparator} ${displayValue(value)}.`,
  );
}

export function compileIndexRange(index: IndexDefinition, range: readonly RangeExpression[]): Interval {
  const equalities = new Map<string, MaybeValue>();
  let inequality: { field: string; start: { value: MaybeValue; inclusive: boolean } | null; end: { value: MaybeValue; inclusive: boolean } | null } | null = null;

  for (const expr of range) {
    const value = decodeMaybeValue(expr.value);
    if (expr.type === "Eq") {
      if (equalities.has(expr.fieldPath)) {
        throw alreadyDefined("equality", expr.fieldPath, "==", equalities.get(expr.fieldPath));
      }
      equalities.set(expr.fieldPath, value);
      continue;
    }
    const isUpper = expr.type === "Lt" || expr.type === "Lte";
    const inclusive = expr.type === "Gte" || expr.type === "Lte";
    if (inequality && inequality.field !== expr.fieldPath) {
      throw new Error(
        `Upper and lower bounds in \`range\` can only be applied to a single index field. This query against index ${index.fullName} attempted to set a range bound on both ${JSON.stringify(inequality.field)} and ${JSON.stringify(expr.fieldPath)}. Consider using \`filter\` instead. See https://docs.convex.dev/using/indexes for more info.`,
      );
    }
    inequality ??= { field: expr.fieldPath, start: null, end: null };
    const slot = isUpper ? "end" : "start";
    if (inequality[slot] !== null) {
      throw alreadyDefined(isUpper ? "upper" : "lower", expr.fieldPath, COMPARATORS[expr.type], value);
    }
    inequality[slot] = { value, inclusive };
  }
  if (inequality && equalities.has(inequality.field)) {
    throw alreadyDefined("inequality", inequality.field, "==", equalities.get(inequality.field));
  }

  const rank = new Map(index.keyFields.map((field, i) => [field, i]));
  const used = [...equalities.keys(), ...(inequality ? [inequality.field] : [])];
  for (const field of used) {
    if (!rank.has(field)) {
      throw new Error(
        `The index range included a comparison with ${JSON.stringify(field)}, but ${index.fullName} with fields ${fieldsText(index.keyFields)} doesn't index this field. For more information see https://docs.convex.dev/using/indexes.`,
      );
    }
  }
  const eqFields = [...equalities.keys()].sort((a, b) => rank.get(a)! - rank.get(b)!);
  const queryFields = [...eqFields, ...(inequality ? [inequality.field] : [])];
  queryFields.forEach((field, i) => {
    if (index.keyFields[i] !== field) {
      throw new Error(
        `Tried to query index ${index.fullName} but the query didn't use the index fields in order.\nIndex fields: ${fieldsText(index.keyFields)}\nQuery fields: ${fieldsText(queryFields)}\nFirst incorrect field: ${field}\nFor more information see https://docs.convex.dev/using/indexes.`,
      );
    }
  });

  const prefix = eqFields.map((field) => equalities.get(field));
  const prefixBound: Bound | null = prefix.length > 0 ? { key: prefix, inclusive: true } : null;
  const bounds: Inequality = { field: inequality?.field ?? "", lower: prefixBound, upper: prefixBound };
  if (inequality?.start) bounds.lower = { key: [...prefix, inequality.start.value], inclusive: inequality.start.inclusive };
  if (inequality?.end) bounds.upper = { key: [...prefix, inequality.end.value], inclusive: inequality.end.inclusive };
  return { lower: bounds.lower, upper: bounds.upper };
}
