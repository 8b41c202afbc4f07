import { GatheringQueue } from './gathering-queue.js';

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
 * flight run are gathered into the next commit (`GatheringQueue`), so under
 * load one transaction carries many items, and alone an item waits for
 * nothing but the end of the current event-loop turn.
 */
export class GroupCommit<Item, Result> {
  private readonly queue: GatheringQueue<Waiting<Item, Result>>;

  constructor(private readonly options: GroupCommitOptions<Item, Result>) {
    this.queue = new GatheringQueue<Waiting<Item, Result>>({
      run: (batch) => this.commitBatch(batch),
      maxItems: options.maxItems,
      maxInFlight: options.maxInFlight,
      maxBytes: options.maxBytes,
      sizeOf: (waiting) => options.sizeOf(waiting.item),
    });
  }

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.add({ item, resolve, reject });
    });
  }

  /** Resolves when every item submitted so far has been answered. */
  settled(): Promise<void> {
    return this.queue.settled();
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
