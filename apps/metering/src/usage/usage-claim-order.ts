/** One of a customer's periods as a claim finds it, under its exclusive lock. */
export interface ClaimablePeriod {
  readonly billingPeriod: string;
  /** The period's current generation: the one a claim takes. */
  readonly generation: number;
  /** Its events stamped with that generation. */
  readonly unclaimedEventCount: number;
}

/**
 * The periods one claim takes, in the order its answer lists them: the period
 * asked for (whatever it holds), then every other period with unclaimed
 * events, oldest first. A period found without unclaimed events (another
 * claim took them while this one waited for its lock) is left out.
 */
export function claimOrderOf(
  askedPeriod: string,
  periods: readonly ClaimablePeriod[],
): ClaimablePeriod[] {
  const asked = periods.find((period) => period.billingPeriod === askedPeriod);
  if (asked === undefined) throw new Error(`the asked period ${askedPeriod} was not found`);
  const others = periods
    .filter((period) => period.billingPeriod !== askedPeriod && period.unclaimedEventCount > 0)
    .sort((a, b) => (a.billingPeriod < b.billingPeriod ? -1 : 1));
  return [asked, ...others];
}
