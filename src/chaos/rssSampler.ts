// Samples the backend's resident memory on a timer for the whole drill, so
// the summary can say how high it went and whether it stayed under the
// limit while the slow consumer sat on its socket. Keeps the peak, the last
// value and a count, never the samples themselves.

export type RssFindings = {
  readonly samples: number;
  /** MiB; null when nothing could be read (no /proc). */
  readonly peakMb: number | null;
  /** Ms after the sampler started when the peak was seen. */
  readonly peakAtMs: number | null;
  readonly lastMb: number | null;
};

export class RssSampler {
  private samples = 0;
  private peakMb: number | null = null;
  private peakAtMs: number | null = null;
  private lastMb: number | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = Date.now();

  constructor(
    private readonly read: () => number | null,
    intervalMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** The latest reading, taken now (for marks such as "when the slow consumer was judged"). */
  now(): number | null {
    this.sample();
    return this.lastMb;
  }

  findings(): RssFindings {
    return { samples: this.samples, peakMb: this.peakMb, peakAtMs: this.peakAtMs, lastMb: this.lastMb };
  }

  stop(): RssFindings {
    clearInterval(this.timer);
    return this.findings();
  }

  private sample(): void {
    const mb = this.read();
    // Between a kill and the restart there is no process to read.
    if (mb === null) return;
    this.samples += 1;
    this.lastMb = mb;
    if (this.peakMb === null || mb > this.peakMb) {
      this.peakMb = mb;
      this.peakAtMs = Date.now() - this.startedAt;
    }
  }
}
