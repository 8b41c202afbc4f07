export interface GroupCommitOptions<Item, Result> {
  /** Writes a batch (in one transaction or one statement) and answers each item, in order. */
  readonly commit: (items: readonly Item[]) => Promise<readonly Result[]>;
  /** The most items one commit takes. */
  readonly maxItems: number;
  /** The most bytes (as `sizeOf` counts them) one commit takes; a single larger item goes alone. */
  readonly maxBytes: number;
  readonly sizeOf: (item: Item) => number;
  /** Commits running at once; items arriving meanwhile wait and go together in the next one. */
  readonly maxInFlight: number;
  /**
   * Whether a failed batch of several items is committed again one item at a
   * time, so that an item that can never be written fails alone and the
   * others succeed. Not for failures every item would share (the database
   * is away): those fail the whole batch at once.
   */
  readonly retryAlone: (error: unknown) => boolean;
}

interface Waiting<Item, Result> {
  readonly item: Item;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: callers submit one item each and are answered once the
 * commit that wrote it has finished. Items submitted while the commits in
 * flight run are gathered into the next commit, so under load one
 * transaction carries many items, and alone an item waits for nothing but
 * the end of the current event-loop turn.
 */
export class GroupCommit<Item, Result> {
  private readonly waiting: Waiting<Item, Result>[] = [];
  private readonly running = new Set<Promise<void>>();
  private flushScheduled = false;

  constructor(private readonly options: GroupCommitOptions<Item, Result>) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Resolves when every item submitted so far has been answered. */
  async settled(): Promise<void> {
    while (this.running.size > 0 || this.waiting.length > 0) {
      this.scheduleFlush();
      await Promise.allSettled([...this.running]);
      if (this.running.size === 0 && this.waiting.length > 0)
        await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.running.size >= this.options.maxInFlight) return;
    this.flushScheduled = true;
    // After the current turn: requests read in the same turn go in one commit.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.running.size < this.options.maxInFlight && this.waiting.length > 0) {
      const run = this.commitBatch(this.takeBatch());
      this.running.add(run);
      void run.finally(() => {
        this.running.delete(run);
        if (this.waiting.length > 0) this.scheduleFlush();
      });
    }
  }

  private takeBatch(): Waiting<Item, Result>[] {
    const { maxItems, maxBytes, sizeOf } = this.options;
    let count = 0;
    let bytes = 0;
    for (const waiting of this.waiting) {
      const size = sizeOf(waiting.item);
      if (count === maxItems || (count > 0 && bytes + size > maxBytes)) break;
      count += 1;
      bytes += size;
    }
    return this.waiting.splice(0, count);
  }

  private async commitBatch(batch: readonly Waiting<Item, Result>[]): Promise<void> {
    try {
      const results = await this.options.commit(batch.map((waiting) => waiting.item));
      if (results.length !== batch.length)
        throw new Error(`a commit of ${batch.length} items answered ${results.length}`);
      batch.forEach((waiting, index) => {
        waiting.resolve(results[index] as Result);
      });
    } catch (error) {
      if (batch.length > 1 && this.options.retryAlone(error)) {
        for (const waiting of batch) await this.commitBatch([waiting]);
        return;
      }
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
