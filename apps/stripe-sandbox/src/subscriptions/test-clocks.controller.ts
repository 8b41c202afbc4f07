import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi, StripeDelete, StripePost } from '../core/stripe-api.decorators.js';
import { TestClocksService } from './test-clocks.service.js';

@StripeApi()
@Controller('v1/test_helpers/test_clocks')
export class TestClocksController {
  constructor(private readonly testClocks: TestClocksService) {}

  @StripePost('')
  create(@Form() params: Params): Stripe.TestHelpers.TestClock {
    return this.testClocks.create(params);
  }

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.TestHelpers.TestClock> {
    const page = paginate(this.testClocks.list(), params, '/v1/test_helpers/test_clocks');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.TestHelpers.TestClock {
    params.done();
    return this.testClocks.get(id);
  }

  @StripeDelete(':id')
  remove(@Param('id') id: string, @Form() params: Params): Stripe.TestHelpers.DeletedTestClock {
    params.done();
    return this.testClocks.remove(id);
  }

  @StripePost(':id/advance')
  advance(@Param('id') id: string, @Form() params: Params): Stripe.TestHelpers.TestClock {
    return this.testClocks.advance(id, params);
  }
}
