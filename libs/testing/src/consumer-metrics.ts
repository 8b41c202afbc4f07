/**
 * How many deliveries the app at `url` settled with `outcome` so far, read
 * from its own `aegis_messages_consumed_total` metric (all event types).
 */
export async function consumedCount(
  url: string,
  outcome: 'applied' | 'duplicate' | 'retried' | 'dead_lettered',
): Promise<number> {
  const response = await fetch(`${url}/metrics`);
  if (response.status !== 200) throw new Error(`GET ${url}/metrics answered ${response.status}`);
  return (await response.text())
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('aegis_messages_consumed_total{') && line.includes(`outcome="${outcome}"`),
    )
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
