import { MAX_USAGE_BATCH, type RecordUsageResultV1, type UsageEventBodyV1 } from '@aegis/contracts';

/**
 * The events of a `--file`: a JSON array of events or `{"events": [...]}`,
 * each an object (the gateway checks their fields), or what is wrong with it.
 */
export function usageEventsOfFile(text: string): readonly UsageEventBodyV1[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `it is not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  const events: unknown =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'events' in parsed
      ? parsed.events
      : parsed;
  if (!Array.isArray(events)) return 'it must hold a JSON array of events, or {"events": [...]}';
  if (events.length === 0) return 'it holds no events';
  const notObject = events.findIndex(
    (event) => typeof event !== 'object' || event === null || Array.isArray(event),
  );
  if (notObject >= 0) return `event ${notObject} is not an object`;
  return events as UsageEventBodyV1[];
}

/** The events in batches of at most MAX_USAGE_BATCH, in order, with the index each starts at. */
export function usageBatchesOf(
  events: readonly UsageEventBodyV1[],
): { readonly offset: number; readonly events: readonly UsageEventBodyV1[] }[] {
  const batches = [];
  for (let offset = 0; offset < events.length; offset += MAX_USAGE_BATCH)
    batches.push({ offset, events: events.slice(offset, offset + MAX_USAGE_BATCH) });
  return batches;
}

/** `events.<index>` of a batch as the index in the whole file. */
export function withFileIndexes(text: string, offset: number): string {
  return offset === 0
    ? text
    : text.replace(/\bevents\.(\d+)/g, (_, index: string) => `events.${Number(index) + offset}`);
}

/** The answers to a file's batches as one answer of the same shape, indexes in the whole file. */
export function combinedUsageResult(
  answers: readonly { readonly offset: number; readonly result: RecordUsageResultV1 }[],
): RecordUsageResultV1 {
  return {
    accepted: answers.reduce((sum, { result }) => sum + result.accepted, 0),
    duplicates: answers.reduce((sum, { result }) => sum + result.duplicates, 0),
    ids: answers.flatMap(({ result }) => result.ids),
    duplicate_indexes: answers.flatMap(({ offset, result }) =>
      result.duplicate_indexes.map((index) => index + offset),
    ),
  };
}
