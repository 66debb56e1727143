// How Convex prints values and validators inside validation errors
// (the Display impls in convex-backend crates/value and
// crates/common/src/schemas/validator.rs): floats always show a decimal
// point ("1.0"), int64s print bare, strings are quoted, object fields are
// sorted, validators print as the `v.*` call that builds them.
import type { JSONValue, Value, ValidatorJSON } from "convex/values";

function displayFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (Object.is(n, -0)) return "-0.0";
  const text = String(n).replace("e+", "e");
  if (Number.isInteger(n) && !text.includes("e")) return `${text}.0`;
  return text;
}

export function displayValue(value: Value | undefined): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "number") return displayFloat(value);
  if (typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof ArrayBuffer) return `b"${Buffer.from(value).toString("base64")}"`;
  if (Array.isArray(value)) return `[${value.map(displayValue).join(", ")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).filter((k) => value[k as keyof typeof value] !== undefined).sort();
    return `{${keys.map((k) => `${k}: ${displayValue((value as Record<string, Value>)[k])}`).join(", ")}}`;
  }
  return String(value);
}

function displayLiteral(value: JSONValue): string {
  if (typeof value === "number") return Number.isInteger(value) ? `${value}.0` : String(value);
  if (value !== null && typeof value === "object" && "$integer" in value) return "<int64>";
  return JSON.stringify(value);
}

export function displayValidator(validator: ValidatorJSON): string {
  switch (validator.type) {
    case "id":
      return `v.id("${validator.tableName}")`;
    case "null":
      return "v.null()";
    case "number":
      return "v.float64()";
    case "bigint":
      return "v.int64()";
    case "commitTs":
      return "v.commitTs()";
    case "boolean":
      return "v.boolean()";
    case "string":
      return "v.string()";
    case "bytes":
      return "v.bytes()";
    case "any":
      return "v.any()";
    case "literal":
      return `v.literal(${displayLiteral(validator.value)})`;
    case "array":
      return `v.array(${displayValidator(validator.value)})`;
    case "record":
      return `v.record(${displayValidator(validator.keys as ValidatorJSON)}, ${displayValidator(validator.values.fieldType)})`;
    case "object": {
      const fields = Object.keys(validator.value)
        .sort()
        .map((name) => {
          const field = validator.value[name];
          const inner = displayValidator(field.fieldType);
          return `${name}: ${field.optional ? `v.optional(${inner})` : inner}`;
        });
      return `v.object({${fields.join(", ")}})`;
    }
    case "union":
      return `v.union(${validator.value.map(displayValidator).join(", ")})`;
    default:
      return validator satisfies never;
  }
}
