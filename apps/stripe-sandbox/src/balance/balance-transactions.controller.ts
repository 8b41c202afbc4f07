import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { BalanceTransactionsService } from './balance-transactions.service.js';

/**
 * `GET /v1/balance_transactions` and `/:id`. When `expand[]` asks for a
 * transaction's `source` and it is a dispute, the dispute is put in as Stripe
 * answers it (with its `balance_transactions`) before the generic expansion,
 * which would otherwise show the stored dispute.
 */
/** Whether `expand[]` names the `source` at `prefix` (`data.` on lists), or a path through it. */
function expandsSource(params: Params, prefix = ''): boolean {
  return params
    .expand()
    .some((path) => path === `${prefix}source` || path.startsWith(`${prefix}source.`));
}

@StripeApi()
@Controller('v1/balance_transactions')
export class BalanceTransactionsController {
  constructor(
    private readonly transactions: BalanceTransactionsService,
    private readonly store: SandboxStore,
  ) {}

  private withDisputeSource(transaction: Stripe.BalanceTransaction): Stripe.BalanceTransaction {
    const source = typeof transaction.source === 'string' ? transaction.source : null;
    const dispute = source === null ? undefined : this.store.find('dispute', source);
    if (dispute === undefined) return transaction;
    return { ...transaction, source: this.transactions.presentDispute(dispute) };
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.BalanceTransaction> {
    const page = paginate(this.transactions.list(params), params, '/v1/balance_transactions');
    params.done();
    if (!expandsSource(params, 'data.')) return page;
    return { ...page, data: page.data.map((transaction) => this.withDisputeSource(transaction)) };
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.BalanceTransaction {
    params.done();
    const transaction = this.transactions.get(id);
    return expandsSource(params) ? this.withDisputeSource(transaction) : transaction;
  }
}
