// Mutation → subscription measurement for writes that every subscriber should
// see (chat messages). Each write carries a nonce naming the run, the load
// process, the write and its intended send time; every passive receiver
// scans what its subscription delivers for nonces and records the FIRST
// sighting of each write:
//
//   latency      = first sighting − intended send time   (one sample per receiver)
//   expected     = acknowledged writes × receivers that were listening at the write's intended time
//   lost         = expected − first sightings             (counted after a grace period)
//   duplicated   = a write listed twice in one result
//   out of order = a write first seen after a later write of the same writer
//                  (writers send one message at a time, so this is a real anomaly)
//
// A tracker accounts one scope — one game in one load process: its writes
// and the receivers that can see them. Other processes (and other games)
// account theirs, so lost/expected never depend on another tracker's
// bookkeeping, and a receiver is never expected to see another game's chat.
import type { ClientKind } from "../metrics/recorder.ts";
import type { MetricsRecorder } from "../metrics/recorder.ts";
import type { ResultText } from "./sync/leanFrame.ts";

// "csn-rt" marker, then run id, scope, write id, writer, writer seq, intended epoch µs.
const NONCE = /csn-rt~([a-z0-9]+)~([a-z0-9.]+)~(\d+)~(\d+)~(\d+)~(\d+)/g;

export function makeNonce(runId: string, scope: string, writeId: number, writer: number, writerSeq: number, intendedUs: number): string {
  return `csn-rt~${runId}~${scope}~${writeId}~${writer}~${writerSeq}~${intendedUs}`;
}

type ParsedResult = { writeIds: number[]; duplicated: number[] };

// Distinct results remembered: a few successive versions of a game's chat.
const PARSED_RESULTS_KEPT = 16;

type Write = { writer: number; writerSeq: number; intendedUs: number; acknowledged: boolean; excluded: boolean };

export class Receiver {
  /** Bit per write id: seen yet? */
  seen = new Uint8Array(64);
  lastSeqByWriter = new Map<number, number>();
  /** Writes already counted as duplicated for this receiver. */
  duplicates = new Set<number>();
  readyAtUs = Number.POSITIVE_INFINITY;
  listening = true;
  constructor(readonly kind: ClientKind) {}

  hasSeen(writeId: number): boolean {
    return writeId >> 3 < this.seen.length && (this.seen[writeId >> 3] & (1 << (writeId & 7))) !== 0;
  }

  markSeen(writeId: number): void {
    const byte = writeId >> 3;
    if (byte >= this.seen.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    this.seen[byte] |= 1 << (writeId & 7);
  }
}

export class DeliveryTracker {
  private readonly writes: Write[] = [];
  private readonly receivers: Receiver[] = [];
  private readonly parsed = new Map<string, ParsedResult>();

  constructor(
    private readonly runId: string,
    /** e.g. "<process>.<game>": digits and dots only. */
    private readonly scope: string,
    private readonly metrics: MetricsRecorder,
  ) {}

  addReceiver(kind: ClientKind): Receiver {
    const receiver = new Receiver(kind);
    this.receivers.push(receiver);
    return receiver;
  }

  /** The receiver has its first result: from now on it is expected to see every write. */
  ready(receiver: Receiver, atUs: number): void {
    if (receiver.readyAtUs === Number.POSITIVE_INFINITY) receiver.readyAtUs = atUs;
  }

  /** The receiver unsubscribed (churn): it is no longer expected to see anything. */
  stopListening(receiver: Receiver): void {
    receiver.listening = false;
  }

  /** Registers a write about to be sent; returns its nonce. */
  newWrite(writer: number, writerSeq: number, intendedUs: number): { writeId: number; nonce: string } {
    const writeId = this.writes.length;
    this.writes.push({ writer, writerSeq, intendedUs, acknowledged: false, excluded: false });
    return { writeId, nonce: makeNonce(this.runId, this.scope, writeId, writer, writerSeq, intendedUs) };
  }

  acknowledged(writeId: number): void {
    this.writes[writeId].acknowledged = true;
  }

  /** A write that receivers may legitimately never see (e.g. moderated away). */
  exclude(writeId: number): void {
    this.writes[writeId].excluded = true;
  }

  /**
   * Scans one delivered result for this tracker's nonces. `ts`, when the
   * client knows it, is the timestamp the result is valid at.
   */
  observe(receiver: Receiver, result: ResultText, receivedAtUs: number): void {
    if (!receiver.listening) return;
    const { writeIds, duplicated } = this.writesIn(result);
    for (const writeId of duplicated) {
      // Listed twice in one result: counted once per receiver and write.
      if (!receiver.duplicates.has(writeId)) {
        receiver.duplicates.add(writeId);
        this.metrics.add("deliveries_duplicated");
      }
    }
    for (const writeId of writeIds) {
      const write = this.writes[writeId];
      if (receiver.hasSeen(writeId) || write.intendedUs < receiver.readyAtUs) continue;
      receiver.markSeen(writeId);
      this.metrics.record("mutation_observed_us", receivedAtUs - write.intendedUs, receiver.kind);
      const lastSeq = receiver.lastSeqByWriter.get(write.writer) ?? -1;
      if (write.writerSeq < lastSeq) this.metrics.add("deliveries_out_of_order");
      else receiver.lastSeqByWriter.set(write.writer, write.writerSeq);
    }
  }

  /**
   * The writes a result lists, in order. Hundreds of receivers get the same
   * result (only the frame header differs), so it is parsed once and reused,
   * keyed by the result's cheap key (see ResultText) — all receivers of a
   * tracker watch one query, which has exactly one result at a timestamp.
   * Without a key (official clients) the text itself is the key.
   */
  private writesIn(result: ResultText): ParsedResult {
    const key = result.key ?? result.text();
    const cached = this.parsed.get(key);
    if (cached !== undefined) return cached;
    const text = result.text();
    const writeIds: number[] = [];
    const duplicated: number[] = [];
    const inResult = new Set<number>();
    NONCE.lastIndex = 0;
    for (let match = NONCE.exec(text); match !== null; match = NONCE.exec(text)) {
      if (match[1] !== this.runId || match[2] !== this.scope) continue;
      const writeId = Number(match[3]);
      if (this.writes[writeId] === undefined) continue;
      if (inResult.has(writeId)) duplicated.push(writeId);
      else writeIds.push(writeId);
      inResult.add(writeId);
    }
    const parsed = { writeIds, duplicated };
    if (this.parsed.size >= PARSED_RESULTS_KEPT) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(key, parsed);
    return parsed;
  }

  /** Counts expected and lost deliveries; call once, after the grace period. */
  finish(): { expected: number; lost: number } {
    let expected = 0;
    let lost = 0;
    for (const [writeId, write] of this.writes.entries()) {
      if (!write.acknowledged || write.excluded) continue;
      for (const receiver of this.receivers) {
        if (!receiver.listening || write.intendedUs < receiver.readyAtUs) continue;
        expected++;
        if (!receiver.hasSeen(writeId)) lost++;
      }
    }
    this.metrics.add("deliveries_expected", expected);
    this.metrics.add("deliveries_received", expected - lost);
    this.metrics.add("deliveries_lost", lost);
    return { expected, lost };
  }
}
