/**
 * Hands items to `run` in batches, without a timer: what arrives while every
 * slot is busy waits and goes together into the next batch, so batches stay
 * small when traffic is light (a lone item runs at once, in the next turn of
 * the event loop) and grow under load, up to `maxBatch`. At most `maxInFlight`
 * batches run at a time. `run` must not throw: the items are its to settle.
 */
export class GatheringQueue<T> {
  private readonly waiting: T[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
    private readonly run: (batch: T[]) => Promise<void>,
  ) {}

  get waitingCount(): number {
    return this.waiting.length;
  }

  add(item: T): void {
    this.waiting.push(item);
    if (this.scheduled || this.running >= this.maxInFlight) return;
    // Deliveries read from one socket chunk arrive in one turn: let them gather first.
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.running < this.maxInFlight && this.waiting.length > 0) {
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
