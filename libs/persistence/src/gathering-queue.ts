export interface GatheringQueueOptions<T> {
  /** Settles a batch's items; must not throw (the items are its to settle). */
  readonly run: (batch: T[]) => Promise<void>;
  /** The most items one batch takes. */
  readonly maxItems: number;
  /** Batches running at once; items arriving meanwhile wait and go together in the next one. */
  readonly maxInFlight: number;
  /** The most bytes (as `sizeOf` counts them) one batch takes; a single larger item goes alone. */
  readonly maxBytes?: number;
  readonly sizeOf?: (item: T) => number;
  /**
   * While a batch runs, another starts only once this many items wait (default 1). Starting
   * each straggler in a free slot can keep batches small for good: a consumer's small batches
   * are acked in small numbers, and the broker then delivers in small numbers.
   */
  readonly minGathered?: number;
}

/**
 * Hands items to `run` in batches, without a timer: what arrives while every
 * slot is busy waits and goes together into the next batch, so batches stay
 * small when traffic is light (a lone item runs at once, in the next turn of
 * the event loop) and grow under load, up to the bounds. At most
 * `maxInFlight` batches run at a time. Group commit of webhooks
 * (`GroupCommit`) and batched consumers both build on it.
 */
export class GatheringQueue<T> {
  private readonly waiting: T[] = [];
  private readonly running = new Set<Promise<void>>();
  private scheduled = false;

  constructor(private readonly options: GatheringQueueOptions<T>) {}

  get waitingCount(): number {
    return this.waiting.length;
  }

  add(item: T): void {
    this.waiting.push(item);
    this.schedule();
  }

  /** Resolves once every item added so far has been run. */
  async settled(): Promise<void> {
    while (this.running.size > 0 || this.waiting.length > 0) {
      this.schedule();
      await Promise.allSettled([...this.running]);
      if (this.running.size === 0 && this.waiting.length > 0)
        await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private mayStart(): boolean {
    if (this.waiting.length === 0 || this.running.size >= this.options.maxInFlight) return false;
    return this.running.size === 0 || this.waiting.length >= (this.options.minGathered ?? 1);
  }

  private schedule(): void {
    if (this.scheduled || !this.mayStart()) return;
    // Items read from one socket chunk arrive in one turn: let them gather first.
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.mayStart()) {
      const run = this.options
        .run(this.takeBatch())
        .catch(() => undefined)
        .finally(() => {
          this.running.delete(run);
          this.startBatches();
        });
      this.running.add(run);
    }
  }

  private takeBatch(): T[] {
    const { maxItems, maxBytes = Number.POSITIVE_INFINITY, sizeOf = () => 0 } = this.options;
    let count = 0;
    let bytes = 0;
    for (const item of this.waiting) {
      const size = sizeOf(item);
      if (count === maxItems || (count > 0 && bytes + size > maxBytes)) break;
      count += 1;
      bytes += size;
    }
    return this.waiting.splice(0, count);
  }
}
