import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { seedProgressOf } from './seed-progress.js';

describe('seedProgressOf', () => {
  it('off a terminal: a line when a phase begins, not one per step', () => {
    const lines: string[] = [];
    const progress = seedProgressOf(undefined, (line) => lines.push(line));
    progress.start(5);
    for (const phase of ['products', 'products', 'usage', 'usage', 'invoices'])
      progress.step(phase);
    progress.stop();
    expect(lines).toStrictEqual(['seeding products', 'seeding usage', 'seeding invoices']);
  });

  it('on a terminal: a bar with the steps taken and the phase, none of it through the line writer', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let drawn = '';
    stream.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    const lines: string[] = [];
    const progress = seedProgressOf(stream, (line) => lines.push(line));
    progress.start(4);
    progress.step('customers, API keys and cards');
    progress.step('usage');
    progress.stop();
    expect(lines).toStrictEqual([]);
    expect(drawn).toContain('seeding [############------------] 50% 2/4 usage');
  });
});
