import type { AlertResourceV1, ListV1 } from '@aegis/contracts';
import { formatTable } from '../output/table.js';

/** `aegis alerts`: one line per alert. */
export function formatAlertTable(list: ListV1<AlertResourceV1>): string[] {
  if (list.data.length === 0) return ['no alerts'];
  return formatTable(
    ['CREATED', 'TYPE', 'CUSTOMER', 'SUMMARY', 'ID'],
    list.data.map((alert) => [
      alert.created_at,
      alert.type,
      alert.customer_id ?? '-',
      alert.summary,
      alert.id,
    ]),
  );
}
