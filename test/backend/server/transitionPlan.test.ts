import { describe, expect, it } from "vitest";
import { ANONYMOUS } from "../../../src/backend/server/identity.ts";
import { SharedQuery, type QueryResult } from "../../../src/backend/server/sharedQuery.ts";
import { planTransition, type PlannedSubscription } from "../../../src/backend/server/transitionPlan.ts";

function subscription(queryId: number, result: Partial<QueryResult> | null, sentBody: string | null = null): PlannedSubscription {
  const shared = new SharedQuery(`q${queryId}`, {
    udfPath: "m:f",
    args: [{}],
    journal: null,
    componentPath: undefined,
    identity: ANONYMOUS,
  });
  shared.result =
    result === null ? null : { body: `"v":${queryId}}`, from: 0n, invalidAt: null, readSet: null, journal: null, ...result };
  return { queryId, shared, sentBody };
}

const base = {
  sent: { querySet: 1, identity: 0, ts: 10n },
  querySetVersion: 1,
  identityVersion: 0,
  processedTs: 20n,
  wantTs: 0n,
  removedQueryIds: [],
};

describe("planning a Transition", () => {
  it("ends at the latest ts at which every held result is still the answer", () => {
    const plan = planTransition({
      ...base,
      subscriptions: [subscription(1, { from: 12n }), subscription(2, { from: 5n, invalidAt: 18n })],
    });
    expect(plan).toMatchObject({ kind: "send", endTs: 17n });
  });

  it("waits while a query has no result yet", () => {
    expect(planTransition({ ...base, querySetVersion: 2, subscriptions: [subscription(1, null)] })).toEqual({ kind: "wait" });
  });

  it("waits when no single ts suits every result (one is being re-run)", () => {
    const plan = planTransition({
      ...base,
      subscriptions: [subscription(1, { from: 15n }), subscription(2, { from: 5n, invalidAt: 14n })],
    });
    expect(plan).toEqual({ kind: "wait" });
  });

  it("never moves the ts backwards", () => {
    const plan = planTransition({ ...base, subscriptions: [subscription(1, { from: 0n, invalidAt: 9n })] });
    expect(plan).toEqual({ kind: "wait" });
  });

  it("is idle when nothing changed and no mutation waits", () => {
    const sub = subscription(1, {});
    expect(planTransition({ ...base, subscriptions: [{ ...sub, sentBody: sub.shared.result!.body }] })).toEqual({ kind: "idle" });
  });

  it("confirms a mutation whose ts the client already has (it wrote nothing) with an empty Transition", () => {
    const sub = subscription(1, {});
    const unchanged = { ...sub, sentBody: sub.shared.result!.body };
    expect(planTransition({ ...base, wantTs: 10n, subscriptions: [unchanged] })).toEqual({ kind: "idle" });
    expect(planTransition({ ...base, wantTs: 10n, confirmationDue: true, subscriptions: [unchanged] })).toEqual({
      kind: "send",
      endTs: 20n,
      modifications: [],
      updated: [],
    });
  });

  it("sends an empty Transition to confirm a mutation once its ts is reachable", () => {
    const sub = subscription(1, {});
    const unchanged = { ...sub, sentBody: sub.shared.result!.body };
    expect(planTransition({ ...base, wantTs: 25n, subscriptions: [unchanged] })).toEqual({ kind: "wait" });
    expect(planTransition({ ...base, wantTs: 20n, subscriptions: [unchanged] })).toEqual({
      kind: "send",
      endTs: 20n,
      modifications: [],
      updated: [],
    });
  });

  it("splices each receiver's queryId before the shared body, removals first", () => {
    const plan = planTransition({ ...base, removedQueryIds: [4], subscriptions: [subscription(7, { from: 11n })] });
    expect(plan).toMatchObject({
      kind: "send",
      modifications: ['{"type":"QueryRemoved","queryId":4}', '{"queryId":7,"v":7}'],
    });
  });
});
