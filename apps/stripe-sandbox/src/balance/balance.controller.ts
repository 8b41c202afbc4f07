import { Controller, Get } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import type { Params } from '../core/params.js';
import { StripeApi } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { BalanceTransactionsService } from './balance-transactions.service.js';
import { balanceOf } from './balance.js';

/** `GET /v1/balance`: the account's balance, from the sandbox's balance transactions. */
@StripeApi()
@Controller('v1/balance')
export class BalanceController {
  constructor(
    private readonly store: SandboxStore,
    private readonly transactions: BalanceTransactionsService,
  ) {}

  @Get('')
  retrieve(@Form() params: Params): Stripe.Balance {
    params.done();
    return balanceOf({ transactions: this.transactions.all(), charges: this.store.list('charge') });
  }
}
