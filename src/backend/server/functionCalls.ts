// Mutations and actions from the sync protocol, turned into engine calls and
// back into protocol responses. An engine that throws (its bug) becomes a
// failed response for that one request, never an exception in the server.
import type { JSONValue } from "convex/values";
import { singleArgsObject } from "../../protocol/http/index.ts";
import type { ActionRequest, ActionResponse, MutationRequest, MutationResponse } from "../../protocol/sync/index.ts";
import type { Caller, Engine, FunctionOutcome } from "../contracts.ts";

/** Convex's wording for an error it does not explain to clients. */
export const SERVER_ERROR = "Server Error";

type Refusal = { readonly ok: false; readonly errorMessage: string; readonly logLines: string[] };

/** A request the engine must not see: wrong args shape or a component we do not run. */
export function refuseRequest(args: JSONValue[], componentPath: string | undefined, kind: string): Refusal | null {
  if (singleArgsObject(args) === null || !Array.isArray(args)) {
    return { ok: false, errorMessage: `A ${kind}'s args must be [argsObject]: an array holding one object.`, logLines: [] };
  }
  if (componentPath !== undefined && componentPath !== "") {
    return { ok: false, errorMessage: "csn-rt runs only the root component; componentPath is not supported.", logLines: [] };
  }
  return null;
}

export async function callMutation(
  engine: Engine,
  caller: Caller,
  request: MutationRequest,
  onEngineError: (error: unknown) => void,
  /** `${sessionId}:${requestId}`: lets a durable engine answer a re-sent request after a restart (see MutationOptions). */
  idempotencyKey?: string,
): Promise<MutationResponse> {
  const refusal = refuseRequest(request.args, request.componentPath, "mutation");
  if (refusal !== null) return mutationResponse(request.requestId, refusal, 0n);
  try {
    const options = idempotencyKey === undefined ? undefined : { idempotencyKey };
    const run = await engine.runMutation(request.udfPath, singleArgsObject(request.args)!, caller, options);
    return mutationResponse(request.requestId, run.outcome, run.ts);
  } catch (error) {
    onEngineError(error);
    return mutationResponse(request.requestId, { ok: false, errorMessage: SERVER_ERROR, logLines: [] }, 0n);
  }
}

export async function callAction(
  engine: Engine,
  caller: Caller,
  request: ActionRequest,
  onEngineError: (error: unknown) => void,
): Promise<ActionResponse> {
  const refusal = refuseRequest(request.args, request.componentPath, "action");
  if (refusal !== null) return actionResponse(request.requestId, refusal);
  try {
    const run = await engine.runAction(request.udfPath, singleArgsObject(request.args)!, caller);
    return actionResponse(request.requestId, run.outcome);
  } catch (error) {
    onEngineError(error);
    return actionResponse(request.requestId, { ok: false, errorMessage: SERVER_ERROR, logLines: [] });
  }
}

function mutationResponse(requestId: number, outcome: FunctionOutcome, ts: bigint): MutationResponse {
  if (outcome.ok) {
    return { type: "MutationResponse", requestId, success: true, result: outcome.value, ts, logLines: outcome.logLines };
  }
  return {
    type: "MutationResponse",
    requestId,
    success: false,
    result: outcome.errorMessage,
    logLines: outcome.logLines,
    ...(outcome.errorData === undefined ? {} : { errorData: outcome.errorData }),
  };
}

function actionResponse(requestId: number, outcome: FunctionOutcome): ActionResponse {
  if (outcome.ok) {
    return { type: "ActionResponse", requestId, success: true, result: outcome.value, logLines: outcome.logLines };
  }
  return {
    type: "ActionResponse",
    requestId,
    success: false,
    result: outcome.errorMessage,
    logLines: outcome.logLines,
    ...(outcome.errorData === undefined ? {} : { errorData: outcome.errorData }),
  };
}
