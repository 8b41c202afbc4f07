import type {
  ChangeSubscriptionResultV1,
  EntitlementsResourceV1,
  ListV1,
  PlanResourceV1,
  SubscriptionResourceV1,
} from '@aegis/contracts';
import { formatFields, formatTable } from '../output/table.js';

function money(cents: number | null, currency: string, missing = '-'): string {
  return cents === null ? missing : `${cents} ${currency}`;
}

/** `aegis plans`: one line per plan. */
export function formatPlanTable(list: ListV1<PlanResourceV1>): string[] {
  if (list.data.length === 0) return ['no plans'];
  return formatTable(
    ['ID', 'NAME', 'MONTHLY', 'YEARLY', 'HOURS/MONTH', 'OVERAGE/HOUR'],
    list.data.map((plan) => [
      plan.id,
      plan.name,
      money(plan.price_cents, plan.currency, 'custom'),
      money(plan.yearly_price_cents, plan.currency, plan.custom ? 'custom' : '-'),
      plan.included_hours === null ? 'unlimited' : String(plan.included_hours),
      money(plan.overage_price_cents, plan.currency),
    ]),
  );
}

function priceOf(subscription: SubscriptionResourceV1): string {
  const price = money(subscription.price_cents, subscription.currency);
  return subscription.billing_interval === null
    ? price
    : `${price} / ${subscription.billing_interval} (minor units)`;
}

function cancellationOf(subscription: SubscriptionResourceV1): string {
  if (subscription.cancel_at_period_end)
    return `at period end (${subscription.current_period_end ?? subscription.cancel_at ?? '?'})`;
  return subscription.cancel_at ?? '-';
}

function pauseOf(subscription: SubscriptionResourceV1): string {
  const pause = subscription.pause_collection;
  if (pause === null) return '-';
  return `collection paused (${pause.behavior}) ${pause.resumes_at === null ? 'until resumed' : `until ${pause.resumes_at}`}`;
}

/** `aegis subscriptions show`: the subscription's fields. */
export function formatSubscription(subscription: SubscriptionResourceV1): string[] {
  return formatFields([
    ['id', subscription.id],
    ['customer', subscription.customer_id],
    ['plan', subscription.plan_id ?? '- (no plan’s price)'],
    ['price', priceOf(subscription)],
    ['status', subscription.status],
    [
      'period',
      `${subscription.current_period_start ?? '?'} → ${subscription.current_period_end ?? '?'}`,
    ],
    [
      'trial',
      subscription.trial_end === null
        ? '-'
        : `${subscription.trial_start ?? '?'} → ${subscription.trial_end}`,
    ],
    ['cancels', cancellationOf(subscription)],
    ['canceled', subscription.canceled_at ?? '-'],
    ['ended', subscription.ended_at ?? '-'],
    ['paused', pauseOf(subscription)],
    ['stripe subscription', subscription.stripe_subscription_id],
    ['created', subscription.created_at],
    ['updated', subscription.updated_at],
  ]);
}

/** `aegis subscriptions create`. */
export function formatCreatedSubscription(subscription: SubscriptionResourceV1): string[] {
  const plan = [subscription.plan_id ?? '-', subscription.billing_interval]
    .filter((part) => part !== null)
    .join(' ');
  return [
    `created subscription ${subscription.id}: plan ${plan}, ${subscription.status}`,
    ...formatSubscription(subscription),
  ];
}

/** `aegis subscriptions change`: the preview's proration, or what changed. */
export function formatChange(result: ChangeSubscriptionResultV1): string[] {
  const { subscription, preview } = result;
  if (preview !== null)
    return [
      `preview: the change would invoice ${preview.proration_cents} ${preview.currency} now (prorated at ${preview.proration_date}); nothing was changed`,
      ...(preview.lines.length === 0
        ? ['no proration lines']
        : formatTable(
            ['DESCRIPTION', 'AMOUNT', 'PRORATION'],
            preview.lines.map((line) => [
              line.description,
              money(line.amount_cents, preview.currency),
              line.proration ? 'yes' : 'no',
            ]),
          )),
    ];
  return [
    `changed subscription ${subscription.id}: plan ${subscription.plan_id ?? '-'}, ${priceOf(subscription)}`,
    ...(result.stripe_invoice_id === null
      ? []
      : [`proration invoiced: ${result.stripe_invoice_id}`]),
    ...formatSubscription(subscription),
  ];
}

/** `aegis subscriptions cancel|pause|resume`: what happened, then the subscription. */
export function formatSubscriptionCommand(
  verb: 'cancel' | 'pause' | 'resume',
  subscription: SubscriptionResourceV1,
): string[] {
  const headline =
    verb === 'cancel'
      ? subscription.cancel_at_period_end
        ? `subscription ${subscription.id} will end at the end of its period (${subscription.current_period_end ?? '?'})`
        : `subscription ${subscription.id} canceled: ${subscription.status}`
      : verb === 'pause'
        ? `subscription ${subscription.id}: ${pauseOf(subscription)}`
        : `subscription ${subscription.id} resumed: ${subscription.status}`;
  return [headline, ...formatSubscription(subscription)];
}

function hours(value: string | null): string {
  return value === null ? 'unlimited' : `${value} h`;
}

/** `aegis entitlements`. */
export function formatEntitlements(entitlements: EntitlementsResourceV1): string[] {
  return formatFields([
    ['customer', entitlements.customer_id],
    ['plan', entitlements.plan_id],
    ['subscription', entitlements.subscription_id],
    ['period', entitlements.billing_period],
    ['entitled', entitlements.entitled ? 'yes' : 'no'],
    ['included', hours(entitlements.included_hours)],
    ['used', hours(entitlements.used_hours)],
    ['remaining', hours(entitlements.remaining_hours)],
    ['overage', hours(entitlements.overage_hours)],
    [
      'overage price',
      entitlements.overage_price_cents === null
        ? '-'
        : `${entitlements.overage_price_cents} ${entitlements.currency} per hour (minor units)`,
    ],
    ['hours product', entitlements.hours_product_id],
    ['usage through', entitlements.usage_through],
  ]);
}
