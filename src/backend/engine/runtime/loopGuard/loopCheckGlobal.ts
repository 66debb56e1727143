/**
 * The global through which instrumented loops (instrumentLoops.ts) reach the
 * engine's time check (context.ts). Its own module so that the engine, which
 * only installs the check, does not load the parser the instrumenting needs.
 */
export const LOOP_CHECK_GLOBAL = "__csnRtLoopCheck";
