import { isFinalDisputeStatus, type DisputeStatus } from '@aegis/contracts';

/** What decides which of two states of one dispute is the latest. */
export interface DisputeStamp {
  readonly updatedAt: Date;
  readonly status: DisputeStatus;
}

/**
 * Whether `incoming` replaces `current` (docs/ledger.md, "Disputes"): a later
 * `updatedAt` does; on a tie, a final status (won, lost, warning_closed)
 * replaces one that is not. An older state, or the same one again, does not.
 */
export function supersedes(incoming: DisputeStamp, current: DisputeStamp): boolean {
  const incomingAt = incoming.updatedAt.getTime();
  const currentAt = current.updatedAt.getTime();
  if (incomingAt !== currentAt) return incomingAt > currentAt;
  return isFinalDisputeStatus(incoming.status) && !isFinalDisputeStatus(current.status);
}
