import { describe, expect, it } from '@jest/globals';
import { GatheringQueue } from './gathering-queue.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('GatheringQueue', () => {
  it('while a batch runs, starts another only once minGathered items wait', async () => {
    const batches: number[][] = [];
    const releases: (() => void)[] = [];
    const queue = new GatheringQueue<number>({
      run: async (batch) => {
        batches.push(batch);
        await new Promise<void>((resolve) => releases.push(resolve));
      },
      maxItems: 10,
      maxInFlight: 2,
      minGathered: 3,
    });
    queue.add(1);
    await nextTurn();
    queue.add(2);
    queue.add(3);
    await nextTurn();
    expect(batches).toStrictEqual([[1]]);
    queue.add(4);
    await nextTurn();
    expect(batches).toStrictEqual([[1], [2, 3, 4]]);
    queue.add(5);
    await nextTurn();
    releases.shift()?.();
    await nextTurn();
    // The first batch ended, but the second still runs: 5 waits until it has company or a free queue.
    expect(batches).toStrictEqual([[1], [2, 3, 4]]);
    releases.shift()?.();
    await nextTurn();
    expect(batches).toStrictEqual([[1], [2, 3, 4], [5]]);
    releases.shift()?.();
    await queue.settled();
    expect(queue.waitingCount).toBe(0);
  });
});
