import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { createdFilter, paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi } from '../core/stripe-api.decorators.js';
import { SandboxStore } from '../store/sandbox-store.js';

@StripeApi()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly store: SandboxStore) {}

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.Event> {
    const type = params.string('type');
    const types = params.strings('types');
    const created = createdFilter(params);
    const deliverySuccess = params.boolean('delivery_success');
    const typeMatches = (eventType: string): boolean => {
      if (types !== undefined) return types.includes(eventType);
      if (type === undefined) return true;
      // Stripe allows one trailing or inner `*` wildcard, e.g. `charge.*`.
      const pattern = new RegExp(`^${type.split('*').map(escapeRegExp).join('[^]*')}$`);
      return pattern.test(eventType);
    };
    const events = this.store.list(
      'event',
      (event) =>
        typeMatches(event.type) &&
        created(event.created) &&
        (deliverySuccess === undefined || (event.pending_webhooks === 0) === deliverySuccess),
    );
    const page = paginate(events, params, '/v1/events');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.Event {
    params.done();
    return this.store.get('event', id, 'event');
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
