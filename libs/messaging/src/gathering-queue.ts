/**
 * Hands items to `run` in batches, without a timer: what arrives while
 * batches are running waits and goes together into the next one, so batches
 * stay small when traffic is light (a lone item runs at once, in the next turn
 * of the event loop) and grow under load, up to `maxBatch`. At most
 * `maxInFlight` batches run at a time, and while one runs another starts only
 * once `minGathered` items wait: starting each straggler in a free slot would
 * keep batches small for good (small batches are acked in small numbers, and
 * the broker then delivers in small numbers). `run` must not throw: the items
 * are its to settle.
 */
export class GatheringQueue<T> {
  private readonly waiting: T[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
    private readonly minGathered: number,
    private readonly run: (batch: T[]) => Promise<void>,
  ) {}

  get waitingCount(): number {
    return this.waiting.length;
  }

  add(item: T): void {
    this.waiting.push(item);
    if (this.scheduled || !this.mayStart()) return;
    // Deliveries read from one socket chunk arrive in one turn: let them gather first.
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startBatches();
    });
  }

  private mayStart(): boolean {
    if (this.waiting.length === 0 || this.running >= this.maxInFlight) return false;
    return this.running === 0 || this.waiting.length >= this.minGathered;
  }

  private startBatches(): void {
    while (this.mayStart()) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.running += 1;
      void this.run(batch)
        .catch(() => undefined)
        .finally(() => {
          this.running -= 1;
          this.startBatches();
        });
    }
  }
}
