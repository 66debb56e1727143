// Checks a value against a validator in its JSON form (what
// `exportArgs()` / `exportReturns()` and `defineSchema` export), producing
// the same error text as Convex's `Validator::check_value`
// (convex-backend crates/common/src/schemas/validator.rs).
import { jsonToConvex, type Value, type ValidatorJSON } from "convex/values";
import { valuesEqual } from "../values/compare.ts";
import { displayValidator, displayValue } from "./display.ts";

/** Which table an id string belongs to; null when it is not an id of any known table. */
export type IdResolver = (id: string) => { readonly table: string; readonly isSystem: boolean } | null;

type Failure = { readonly message: (context: string) => string; readonly path: string[] };

type ObjectValidatorJSON = Extract<ValidatorJSON, { type: "object" }>;

function contextText(path: string[]): string {
  return path.length === 0 ? "" : `Path: ${path.slice().reverse().join("")}`;
}

function noMatch(value: Value | undefined, validator: ValidatorJSON): Failure {
  return {
    message: (context) =>
      `Value does not match validator.\n${context}\nValue: ${displayValue(value)}\nValidator: ${displayValidator(validator)}`,
    path: [],
  };
}

function isPlainObject(value: Value | undefined): value is Record<string, Value> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof ArrayBuffer);
}

function checkObject(validator: ObjectValidatorJSON, value: Record<string, Value>, resolveId: IdResolver): Failure | null {
  const fields = validator.value;
  for (const name of Object.keys(fields).sort()) {
    const field = fields[name];
    const fieldValue = value[name];
    if (fieldValue !== undefined) {
      const failure = check(field.fieldType, fieldValue, resolveId);
      if (failure) {
        failure.path.push(`.${name}`);
        return failure;
      }
    } else if (!field.optional) {
      return {
        message: (context) =>
          `Object is missing the required field \`${name}\`. Consider wrapping the field validator in \`v.optional(...)\` if this is expected.\n${context}\nObject: ${displayValue(value)}\nValidator: ${displayValidator(validator)}`,
        path: [],
      };
    }
  }
  for (const name of Object.keys(value).sort()) {
    if (value[name] !== undefined && !(name in fields)) {
      return {
        message: (context) =>
          `Object contains extra field \`${name}\` that is not in the validator.\n${context}\nObject: ${displayValue(value)}\nValidator: ${displayValidator(validator)}`,
        path: [],
      };
    }
  }
  return null;
}

function checkId(validator: Extract<ValidatorJSON, { type: "id" }>, value: string, resolveId: IdResolver): Failure | null {
  const owner = resolveId(value);
  if (owner === null) return noMatch(value, validator);
  if (owner.table === validator.tableName) return null;
  if (owner.isSystem) {
    return {
      message: (context) =>
        `Found ID "${value}" from a system table, which does not match the table name in validator \`v.id("${validator.tableName}")\`.${context}`,
      path: [],
    };
  }
  return {
    message: (context) =>
      `Found ID "${value}" from table \`${owner.table}\`, which does not match the table name in validator \`v.id("${validator.tableName}")\`.${context}`,
    path: [],
  };
}

function check(validator: ValidatorJSON, value: Value | undefined, resolveId: IdResolver): Failure | null {
  switch (validator.type) {
    case "any":
      return null;
    case "null":
      return value === null ? null : noMatch(value, validator);
    case "number":
      return typeof value === "number" ? null : noMatch(value, validator);
    case "bigint":
    case "commitTs":
      return typeof value === "bigint" ? null : noMatch(value, validator);
    case "boolean":
      return typeof value === "boolean" ? null : noMatch(value, validator);
    case "string":
      return typeof value === "string" ? null : noMatch(value, validator);
    case "bytes":
      return value instanceof ArrayBuffer ? null : noMatch(value, validator);
    case "id":
      return typeof value === "string" ? checkId(validator, value, resolveId) : noMatch(value, validator);
    case "literal": {
      if (valuesEqual(value, jsonToConvex(validator.value))) return null;
      return {
        message: (context) =>
          `\`${displayValue(value)}\` does not match literal validator \`${displayValidator(validator)}\`.${context}`,
        path: [],
      };
    }
    case "array": {
      if (!Array.isArray(value)) return noMatch(value, validator);
      for (let i = 0; i < value.length; i++) {
        const failure = check(validator.value, value[i], resolveId);
        if (failure) {
          failure.path.push(`[${i}]`);
          return failure;
        }
      }
      return null;
    }
    case "record": {
      if (!isPlainObject(value)) return noMatch(value, validator);
      for (const [key, fieldValue] of Object.entries(value)) {
        if (fieldValue === undefined) continue;
        const keyFailure = check(validator.keys as ValidatorJSON, key, resolveId);
        if (keyFailure) {
          keyFailure.path.push(".keys()");
          return keyFailure;
        }
        const valueFailure = check(validator.values.fieldType, fieldValue, resolveId);
        if (valueFailure) {
          valueFailure.path.push(".values()");
          return valueFailure;
        }
      }
      return null;
    }
    case "object":
      return isPlainObject(value) ? checkObject(validator, value, resolveId) : noMatch(value, validator);
    case "union": {
      if (validator.value.length === 1) return check(validator.value[0], value, resolveId);
      for (const member of validator.value) {
        if (check(member, value, resolveId) === null) return null;
      }
      return noMatch(value, validator);
    }
    default:
      return validator satisfies never;
  }
}

/** The Convex-worded reason `value` does not match `validator`, or null when it does. */
export function validationError(
  validator: ValidatorJSON,
  value: Value | undefined,
  resolveId: IdResolver,
): string | null {
  const failure = check(validator, value, resolveId);
  return failure === null ? null : failure.message(contextText(failure.path));
}
