// Walks a Map a few entries at a time, resuming where the last call stopped,
// so periodic work over every connection (pings, slow-consumer checks) can
// be spread over many short timer turns instead of one long one.

export class RollingCursor<K, V> {
  /** The keys of the current round, taken when it started; those added since wait for the next round. */
  private keys: K[] = [];
  private position = 0;
  private rounds = 0;

  constructor(private readonly map: Map<K, V>) {}

  /** Rounds started so far; a take never spans two. */
  get round(): number {
    return this.rounds;
  }

  /**
   * Up to `count` entries of the current round, starting a new round first
   * when the last one is done. Entries deleted meanwhile are skipped.
   */
  take(count: number): Array<[K, V]> {
    if (this.position >= this.keys.length) {
      this.keys = [...this.map.keys()];
      this.position = 0;
      this.rounds += 1;
    }
    const taken: Array<[K, V]> = [];
    while (taken.length < count && this.position < this.keys.length) {
      const key = this.keys[this.position++]!;
      const value = this.map.get(key);
      if (value !== undefined || this.map.has(key)) taken.push([key, value as V]);
    }
    return taken;
  }
}
