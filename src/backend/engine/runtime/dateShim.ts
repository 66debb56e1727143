// Time inside functions follows the engine's clock: Convex freezes
// `Date.now()` (and `new Date()`) at the start of a query or mutation, and a
// virtual clock must reach user code too. The global `Date` is replaced once
// per process by a drop-in that asks `timeOfCurrentFunction()`; outside any
// function (server code, tests) it is the real clock, unchanged.
//
// The replacement shares `Date.prototype`, so `instanceof Date` holds for
// dates made before or after installation, by either constructor.

type DateHost = { Date: DateConstructor; [key: symbol]: unknown };

const ORIGINAL_DATE = Symbol.for("csn-rt.engine.originalDate");
const host = globalThis as unknown as DateHost;
const OriginalDate: DateConstructor = (host[ORIGINAL_DATE] as DateConstructor | undefined) ?? host.Date;
const originalNow = OriginalDate.now.bind(OriginalDate);

/** The real wall clock, whatever function is running. */
export function wallClockMs(): number {
  return originalNow();
}

let timeSource: () => number | undefined = () => undefined;

function currentMs(): number {
  return timeSource() ?? originalNow();
}

/**
 * Installs the shim (idempotent). `source` returns the running function's
 * time, or undefined when no function is running.
 */
export function installDateShim(source: () => number | undefined): void {
  timeSource = source;
  if (host[ORIGINAL_DATE] !== undefined) return;
  host[ORIGINAL_DATE] = OriginalDate;

  function FunctionClockDate(this: unknown, ...args: unknown[]): Date | string {
    if (!new.target) return new OriginalDate(currentMs()).toString();
    const constructorArgs = args.length === 0 ? [currentMs()] : args;
    return Reflect.construct(OriginalDate, constructorArgs, new.target) as Date;
  }
  FunctionClockDate.prototype = OriginalDate.prototype;
  Object.defineProperties(FunctionClockDate, {
    now: { value: currentMs, writable: true, configurable: true },
    parse: { value: OriginalDate.parse, writable: true, configurable: true },
    UTC: { value: OriginalDate.UTC, writable: true, configurable: true },
    length: { value: 7, configurable: true },
    name: { value: "Date", configurable: true },
  });
  host.Date = FunctionClockDate as unknown as DateConstructor;
}
