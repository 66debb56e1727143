// Mutation → subscription measurement for writes that every subscriber should
// see (chat messages). Each write carries a nonce naming the run, the game,
// the load process that sent it, the write, its writer and its intended send
// time; every passive receiver scans what its subscription delivers for
// nonces and records the FIRST sighting of each write:
//
//   latency      = first sighting − intended send time   (one sample per receiver)
//   expected     = acknowledged writes × receivers that were listening at the write's intended time
//   lost         = expected − first sightings             (counted after a grace period)
//   duplicated   = a write listed twice in one result
//   out of order = a write first seen after a later write of the same writer
//                  (writers send one message at a time, so this is a real anomaly)
//
// A tracker accounts one game in one load process: its receivers against
// EVERY write to that game, whichever process sent it — every receiver
// counts. A process learns which writes were acknowledged elsewhere only at
// the end: finish() takes all processes' acknowledged writes (gathered by
// the coordinator), so a write no local receiver ever saw is still missed.
import type { ClientKind } from "../metrics/recorder.ts";
import type { MetricsRecorder } from "../metrics/recorder.ts";
import type { ResultText } from "./sync/leanFrame.ts";

// "csn-rt" marker, run id, game, process, write id, writer, writer seq, intended epoch µs.
const NONCE = /csn-rt~([a-z0-9]+)~(\d+)~(\d+)~(\d+)~(\d+)~(\d+)~(\d+)/g;

export type WriteOrigin = { runId: string; game: number; process: number };

export function makeNonce(origin: WriteOrigin, writeId: number, writer: number, writerSeq: number, intendedUs: number): string {
  return `csn-rt~${origin.runId}~${origin.game}~${origin.process}~${writeId}~${writer}~${writerSeq}~${intendedUs}`;
}

/** A write as a nonce describes it. */
type SeenWrite = { process: number; writeId: number; writer: number; writerSeq: number; intendedUs: number };

type ParsedResult = { writes: SeenWrite[]; duplicated: SeenWrite[] };

/** One process's acknowledged (and not excluded) writes: [writeId, intendedUs] pairs. */
export type AcknowledgedWrites = { process: number; writes: [number, number][] };

// Distinct results remembered: a few successive versions of a game's chat.
const PARSED_RESULTS_KEPT = 16;

type OwnWrite = { intendedUs: number; acknowledged: boolean; excluded: boolean };

/** A bit per write id, one set per sending process. */
class SeenSet {
  private readonly byProcess = new Map<number, Uint8Array>();

  has(process: number, writeId: number): boolean {
    const bits = this.byProcess.get(process);
    return bits !== undefined && writeId >> 3 < bits.length && (bits[writeId >> 3] & (1 << (writeId & 7))) !== 0;
  }

  add(process: number, writeId: number): void {
    let bits = this.byProcess.get(process) ?? new Uint8Array(64);
    const byte = writeId >> 3;
    if (byte >= bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, bits.length * 2));
      grown.set(bits);
      bits = grown;
    }
    bits[byte] |= 1 << (writeId & 7);
    this.byProcess.set(process, bits);
  }
}

export class Receiver {
  readonly seen = new SeenSet();
  /** Writes already counted as duplicated for this receiver. */
  readonly duplicates = new SeenSet();
  readonly lastSeqByWriter = new Map<number, number>();
  readyAtUs = Number.POSITIVE_INFINITY;
  listening = true;
  constructor(readonly kind: ClientKind) {}
}

export class DeliveryTracker {
  private readonly own: OwnWrite[] = [];
  private readonly receivers: Receiver[] = [];
  private readonly parsed = new Map<string, ParsedResult>();

  constructor(
    private readonly origin: WriteOrigin,
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

  /** Registers a write this process is about to send; returns its nonce. */
  newWrite(writer: number, writerSeq: number, intendedUs: number): { writeId: number; nonce: string } {
    const writeId = this.own.length;
    this.own.push({ intendedUs, acknowledged: false, excluded: false });
    return { writeId, nonce: makeNonce(this.origin, writeId, writer, writerSeq, intendedUs) };
  }

  acknowledged(writeId: number): void {
    this.own[writeId].acknowledged = true;
  }

  /** A write that receivers may legitimately never see (e.g. moderated away). */
  exclude(writeId: number): void {
    this.own[writeId].excluded = true;
  }

  /** Scans one delivered result for this game's nonces, from any process of the run. */
  observe(receiver: Receiver, result: ResultText, receivedAtUs: number): void {
    if (!receiver.listening) return;
    const { writes, duplicated } = this.writesIn(result);
    for (const write of duplicated) {
      // Listed twice in one result: counted once per receiver and write.
      if (!receiver.duplicates.has(write.process, write.writeId)) {
        receiver.duplicates.add(write.process, write.writeId);
        this.metrics.add("deliveries_duplicated");
      }
    }
    for (const write of writes) {
      if (receiver.seen.has(write.process, write.writeId) || write.intendedUs < receiver.readyAtUs) continue;
      receiver.seen.add(write.process, write.writeId);
      this.metrics.record("mutation_observed_us", receivedAtUs - write.intendedUs, receiver.kind);
      const lastSeq = receiver.lastSeqByWriter.get(write.writer) ?? -1;
      if (write.writerSeq < lastSeq) this.metrics.add("deliveries_out_of_order");
      else receiver.lastSeqByWriter.set(write.writer, write.writerSeq);
    }
  }

  /** This process's part of the end-of-run exchange: what it sent that every receiver should have seen. */
  acknowledgedWrites(): AcknowledgedWrites {
    const writes: [number, number][] = [];
    this.own.forEach((w, writeId) => {
      if (w.acknowledged && !w.excluded) writes.push([writeId, w.intendedUs]);
    });
    return { process: this.origin.process, writes };
  }

  /**
   * Counts expected and lost deliveries against every process's acknowledged
   * writes (this one's included); call once, after the grace period.
   */
  finish(everyProcess: readonly AcknowledgedWrites[]): { expected: number; lost: number } {
    let expected = 0;
    let lost = 0;
    for (const { process, writes } of everyProcess) {
      for (const [writeId, intendedUs] of writes) {
        for (const receiver of this.receivers) {
          if (!receiver.listening || intendedUs < receiver.readyAtUs) continue;
          expected++;
          if (!receiver.seen.has(process, writeId)) lost++;
        }
      }
    }
    this.metrics.add("deliveries_expected", expected);
    this.metrics.add("deliveries_received", expected - lost);
    this.metrics.add("deliveries_lost", lost);
    return { expected, lost };
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
    const writes: SeenWrite[] = [];
    const duplicated: SeenWrite[] = [];
    const inResult = new Set<string>();
    NONCE.lastIndex = 0;
    for (let match = NONCE.exec(text); match !== null; match = NONCE.exec(text)) {
      if (match[1] !== this.origin.runId || Number(match[2]) !== this.origin.game) continue;
      const write: SeenWrite = {
        process: Number(match[3]),
        writeId: Number(match[4]),
        writer: Number(match[5]),
        writerSeq: Number(match[6]),
        intendedUs: Number(match[7]),
      };
      const id = `${write.process}:${write.writeId}`;
      if (inResult.has(id)) duplicated.push(write);
      else writes.push(write);
      inResult.add(id);
    }
    const parsed = { writes, duplicated };
    if (this.parsed.size >= PARSED_RESULTS_KEPT) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(key, parsed);
    return parsed;
  }
}
