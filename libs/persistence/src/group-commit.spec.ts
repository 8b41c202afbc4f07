import { describe, expect, it } from '@jest/globals';
import { GroupCommit } from './group-commit.js';

class Poison extends Error {}
class Outage extends Error {}

function recordingCommit(options: { maxItems?: number; maxInFlight?: number } = {}) {
  const batches: number[][] = [];
  let release: (() => void) | undefined;
  let holdNext = false;
  const group = new GroupCommit<number, string>({
    commit: async (items) => {
      batches.push([...items]);
      if (holdNext) {
        holdNext = false;
        await new Promise<void>((resolve) => (release = resolve));
      }
      if (items.includes(13)) throw new Poison('13 cannot be written');
      if (items.includes(-1)) throw new Outage('the database is away');
      return items.map((item) => `ok ${item}`);
    },
    maxItems: options.maxItems ?? 100,
    maxBytes: 1_000,
    sizeOf: (item) => Math.abs(item),
    maxInFlight: options.maxInFlight ?? 1,
    retryAlone: (error) => error instanceof Poison,
  });
  return {
    group,
    batches,
    holdNextCommit: () => (holdNext = true),
    releaseCommit: () => release?.(),
  };
}

describe('GroupCommit', () => {
  it('commits what is submitted in one turn together, and answers each in order', async () => {
    const { group, batches } = recordingCommit();
    await expect(Promise.all([1, 2, 3].map((item) => group.submit(item)))).resolves.toStrictEqual([
      'ok 1',
      'ok 2',
      'ok 3',
    ]);
    expect(batches).toStrictEqual([[1, 2, 3]]);
  });

  it('gathers what arrives while a commit runs into the next one, up to the bounds', async () => {
    const { group, batches, holdNextCommit, releaseCommit } = recordingCommit({ maxItems: 3 });
    holdNextCommit();
    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4, 5, 600, 700].map((item) => group.submit(item));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toStrictEqual([[1]]);
    releaseCommit();
    await Promise.all([first, ...later]);
    // At most 3 items, and at most 1,000 "bytes" unless an item is alone.
    expect(batches).toStrictEqual([[1], [2, 3, 4], [5, 600], [700]]);
  });

  it('runs up to maxInFlight commits at once', async () => {
    const { group, batches, holdNextCommit, releaseCommit } = recordingCommit({ maxInFlight: 2 });
    holdNextCommit();
    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const second = group.submit(2);
    await expect(second).resolves.toBe('ok 2');
    expect(batches).toStrictEqual([[1], [2]]);
    releaseCommit();
    await expect(first).resolves.toBe('ok 1');
  });

  it('commits a failed batch again item by item, so a poison item fails alone', async () => {
    const { group, batches } = recordingCommit();
    const results = await Promise.allSettled([12, 13, 14].map((item) => group.submit(item)));
    expect(results.map((result) => result.status)).toStrictEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(results[1]).toMatchObject({ reason: expect.any(Poison) });
    expect(batches).toStrictEqual([[12, 13, 14], [12], [13], [14]]);
  });

  it('fails the whole batch at once when the failure is one every item shares', async () => {
    const { group, batches } = recordingCommit();
    const results = await Promise.allSettled([-1, 2].map((item) => group.submit(item)));
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(batches).toStrictEqual([[-1, 2]]);
  });

  it('settles once every submitted item is answered', async () => {
    const { group, holdNextCommit, releaseCommit } = recordingCommit();
    holdNextCommit();
    const answers: string[] = [];
    void group.submit(1).then((answer) => answers.push(answer));
    const settled = group.settled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(answers).toStrictEqual([]);
    releaseCommit();
    await settled;
    expect(answers).toStrictEqual(['ok 1']);
  });
});
