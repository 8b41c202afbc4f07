import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { Params } from '../core/params.js';
import { invalidRequest } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { PaymentMethodsService } from '../payment-methods/payment-methods.service.js';
import { newId, randomToken } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { mergeMetadata } from '../core/metadata.js';

interface CustomerFields {
  email?: string | null;
  name?: string | null;
  description?: string | null;
  phone?: string | null;
  metadata?: Record<string, string> | null;
  address?: Stripe.Address | null;
  defaultPaymentMethod?: string | null;
  preferredLocales?: string[];
}

function readAddress(params: Params | undefined): Stripe.Address | undefined {
  if (params === undefined) return undefined;
  return {
    city: params.string('city') ?? null,
    country: params.string('country') ?? null,
    line1: params.string('line1') ?? null,
    line2: params.string('line2') ?? null,
    postal_code: params.string('postal_code') ?? null,
    state: params.string('state') ?? null,
  };
}

function readFields(params: Params): CustomerFields {
  const invoiceSettings = params.object('invoice_settings');
  return {
    email: params.nullableString('email'),
    name: params.nullableString('name'),
    description: params.nullableString('description'),
    phone: params.nullableString('phone'),
    metadata: params.metadata(),
    address: readAddress(params.object('address')),
    defaultPaymentMethod: invoiceSettings?.nullableString('default_payment_method'),
    preferredLocales: params.strings('preferred_locales'),
  };
}

@Injectable()
export class CustomersService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly paymentMethods: PaymentMethodsService,
  ) {}

  create(params: Params): Stripe.Customer {
    const fields = readFields(params);
    const paymentMethod = params.string('payment_method');
    const testClock = params.string('test_clock');
    params.done();
    return this.store.transaction(() => {
      if (testClock !== undefined) {
        this.store.get('test_helpers.test_clock', testClock, 'test clock', 'test_clock');
      }
      const customer = this.store.insert('customer', {
        id: newId('cus', 14),
        object: 'customer',
        address: fields.address ?? null,
        balance: 0,
        created: this.clock.now(testClock),
        currency: null,
        default_source: null,
        delinquent: false,
        description: fields.description ?? null,
        discount: null,
        email: fields.email ?? null,
        invoice_prefix: randomToken(8).toUpperCase(),
        invoice_settings: {
          custom_fields: null,
          default_payment_method: null,
          footer: null,
          rendering_options: null,
        },
        livemode: false,
        metadata: fields.metadata ?? {},
        name: fields.name ?? null,
        next_invoice_sequence: 1,
        phone: fields.phone ?? null,
        preferred_locales: fields.preferredLocales ?? [],
        shipping: null,
        tax_exempt: 'none',
        test_clock: testClock ?? null,
      });
      this.events.record('customer.created', customer, { testClock: testClock ?? null });
      // Stripe attaches `payment_method` first, then sets the default, each with its own event.
      const attached =
        paymentMethod === undefined ? undefined : this.paymentMethods.resolve(paymentMethod);
      if (attached !== undefined) this.paymentMethods.attachTo(attached, customer.id);
      if (fields.defaultPaymentMethod !== undefined && fields.defaultPaymentMethod !== null) {
        const before = snapshot(customer);
        // A test id given as both (`pm_card_visa`) names the payment method just made of it.
        customer.invoice_settings.default_payment_method = this.defaultPaymentMethodOf(
          customer.id,
          fields.defaultPaymentMethod === paymentMethod && attached !== undefined
            ? attached.id
            : fields.defaultPaymentMethod,
        );
        this.events.recordUpdate('customer.updated', before, customer, {
          testClock: testClock ?? null,
        });
      }
      return customer;
    });
  }

  private defaultPaymentMethodOf(customer: string, id: string): string {
    const paymentMethod = this.store.get(
      'payment_method',
      id,
      'PaymentMethod',
      'invoice_settings[default_payment_method]',
    );
    if (paymentMethod.customer !== customer) {
      throw invalidRequest(
        `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
        'invoice_settings[default_payment_method]',
      );
    }
    return paymentMethod.id;
  }

  update(id: string, params: Params): Stripe.Customer {
    const fields = readFields(params);
    params.done();
    return this.store.transaction(() => {
      const customer = this.store.get('customer', id, 'customer');
      const before = snapshot(customer);
      if (fields.email !== undefined) customer.email = fields.email;
      if (fields.name !== undefined) customer.name = fields.name;
      if (fields.description !== undefined) customer.description = fields.description;
      if (fields.phone !== undefined) customer.phone = fields.phone;
      if (fields.address !== undefined) customer.address = fields.address;
      if (fields.preferredLocales !== undefined)
        customer.preferred_locales = fields.preferredLocales;
      if (fields.metadata !== undefined)
        customer.metadata = mergeMetadata(customer.metadata, fields.metadata);
      if (fields.defaultPaymentMethod !== undefined) {
        customer.invoice_settings.default_payment_method =
          fields.defaultPaymentMethod === null
            ? null
            : this.defaultPaymentMethodOf(customer.id, fields.defaultPaymentMethod);
      }
      this.events.recordUpdate('customer.updated', before, customer, {
        testClock: this.clock.testClockOfCustomer(customer.id),
      });
      return customer;
    });
  }

  remove(id: string): Stripe.DeletedCustomer {
    return this.store.transaction(() => {
      const customer = this.store.get('customer', id, 'customer');
      for (const subscription of this.store.list('subscription', (s) => s.customer === id)) {
        if (subscription.status !== 'canceled' && subscription.status !== 'incomplete_expired') {
          throw invalidRequest(
            `The customer ${id} has active subscriptions; cancel them before deleting the customer.`,
          );
        }
      }
      for (const paymentMethod of this.store.list('payment_method', (pm) => pm.customer === id)) {
        paymentMethod.customer = null;
      }
      this.store.remove('customer', id);
      this.events.record('customer.deleted', customer, {
        testClock: this.clock.testClockOfCustomer(id),
      });
      return { id, object: 'customer', deleted: true };
    });
  }

  list(params: Params): Stripe.Customer[] {
    const email = params.string('email');
    const testClock = params.string('test_clock');
    return this.store.list(
      'customer',
      (customer) =>
        (email === undefined || customer.email === email) &&
        (testClock === undefined || customer.test_clock === testClock),
    );
  }
}
