import { formatTable } from '../output/table.js';
import { SEED_KINDS, type SeedResult } from './seed-runner.js';

/** `aegis seed`: what was made and what was there already, one row per kind. */
export function formatSeedResult(result: SeedResult): string[] {
  const created = SEED_KINDS.reduce((sum, kind) => sum + result.counts[kind].created, 0);
  const lines = [
    created === 0
      ? `seed ${result.seed} (${result.scale}): nothing to add, everything was there`
      : `seed ${result.seed} (${result.scale}): ${created} made`,
    ...formatTable(
      ['WHAT', 'CREATED', 'EXISTING'],
      SEED_KINDS.map((kind) => [
        kind.replaceAll('_', ' '),
        String(result.counts[kind].created),
        String(result.counts[kind].existing),
      ]),
    ),
  ];
  if (result.usage_refused_before !== null)
    lines.push(
      `usage before ${result.usage_refused_before} was refused: it is older than metering's back-dating horizon (METERING_BACKDATE_HORIZON_DAYS, 35 by default; raise it for all three months)`,
    );
  lines.push(`customers: ${result.customers.join(', ')}`);
  return lines;
}
