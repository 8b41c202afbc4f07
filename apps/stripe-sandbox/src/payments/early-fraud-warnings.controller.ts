import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { EarlyFraudWarningsService } from './early-fraud-warnings.service.js';

@StripeApi()
@Controller('v1/radar/early_fraud_warnings')
export class EarlyFraudWarningsController {
  constructor(
    private readonly warnings: EarlyFraudWarningsService,
    private readonly store: SandboxStore,
  ) {}

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.Radar.EarlyFraudWarning> {
    const page = paginate(this.warnings.list(params), params, '/v1/radar/early_fraud_warnings');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.Radar.EarlyFraudWarning {
    params.done();
    return this.store.get('radar.early_fraud_warning', id, 'early_fraud_warning');
  }
}
