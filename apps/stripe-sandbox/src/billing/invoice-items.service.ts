import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { PricesService } from '../catalog/prices.service.js';
import { amountForQuantity, exactDecimal } from '../catalog/pricing.js';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import { invalidRequest, parameterInvalid, parameterMissing } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { mergeMetadata } from '../core/metadata.js';
import {
  applyTotals,
  invoiceItemLine,
  isLineOf,
  pricingOfPrice,
  totalOfUnitAmount,
  unitAmountOfTotal,
} from './invoice-lines.js';
import type { ProrationInput } from './invoices.service.js';
import { idOf } from '../core/ids.js';

/** How an invoice item's amount is given: one of these, as Stripe requires. */
type ChargeSource =
  | { readonly kind: 'price'; readonly price: string }
  | { readonly kind: 'price_data'; readonly priceData: Params }
  | { readonly kind: 'amount'; readonly amount: number }
  | { readonly kind: 'unit_amount_decimal'; readonly unitAmountDecimal: string };

interface Charge {
  readonly amount: number;
  readonly currency: string;
  readonly quantity: number;
  readonly pricing: Stripe.InvoiceItem.Pricing;
}

interface ItemFields {
  readonly source: ChargeSource | undefined;
  readonly currency: string | undefined;
  readonly quantity: number | undefined;
  readonly description: string | undefined;
  readonly metadata: Record<string, string> | null | undefined;
  readonly period: Stripe.InvoiceItem.Period | undefined;
  readonly discountable: boolean | undefined;
}

function readPeriod(params: Params | undefined): Stripe.InvoiceItem.Period | undefined {
  if (params === undefined) return undefined;
  const start = params.requiredInteger('start');
  const end = params.requiredInteger('end');
  if (end < start) {
    throw parameterInvalid(
      params.path('end'),
      'The period end must be on or after the period start.',
      'parameter_invalid_integer',
    );
  }
  return { start, end };
}

function readFields(params: Params): ItemFields {
  const amount = params.integer('amount');
  const price = params.object('pricing')?.string('price');
  const priceData = params.object('price_data');
  const unitAmountDecimal = params.decimal('unit_amount_decimal');
  const quantity = params.integer('quantity', { min: 0 });
  const given = [
    amount === undefined ? null : 'amount',
    price === undefined ? null : 'pricing[price]',
    priceData === undefined ? null : 'price_data',
    unitAmountDecimal === undefined ? null : 'unit_amount_decimal',
  ].filter((name) => name !== null);
  if (given.length > 1) {
    throw invalidRequest(`You may only specify one of these parameters: ${given.join(', ')}.`);
  }
  if (amount !== undefined && quantity !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: amount, quantity.');
  }
  let source: ChargeSource | undefined;
  if (amount !== undefined) source = { kind: 'amount', amount };
  else if (price !== undefined) source = { kind: 'price', price };
  else if (priceData !== undefined) source = { kind: 'price_data', priceData };
  else if (unitAmountDecimal !== undefined) {
    source = { kind: 'unit_amount_decimal', unitAmountDecimal };
  }
  return {
    source,
    currency: params.string('currency')?.toLowerCase(),
    quantity,
    description: params.string('description'),
    metadata: params.metadata(),
    period: readPeriod(params.object('period')),
    discountable: params.boolean('discountable'),
  };
}

/**
 * Invoice items: pending charges of a customer that the next invoice takes
 * in (or that belong to a draft invoice already). Each item on an invoice
 * has a line there, kept in step with the item while the invoice is a draft.
 */
@Injectable()
export class InvoiceItemsService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly prices: PricesService,
  ) {}

  create(params: Params): Stripe.InvoiceItem {
    const customerParam = params.string('customer');
    const invoiceParam = params.string('invoice');
    const subscriptionParam = params.string('subscription');
    const fields = readFields(params);
    if (fields.source === undefined) {
      throw invalidRequest(
        'You must specify one of these parameters: amount, pricing[price], price_data, unit_amount_decimal.',
      );
    }
    const source = fields.source;
    if (
      (source.kind === 'amount' || source.kind === 'unit_amount_decimal') &&
      fields.currency === undefined
    ) {
      throw parameterMissing('currency');
    }
    if (customerParam === undefined && invoiceParam === undefined) {
      throw parameterMissing('customer');
    }
    return this.store.transaction(() => {
      const charge = this.chargeOf(source, fields.quantity ?? 1, fields.currency, params);
      params.done();
      const invoice =
        invoiceParam === undefined
          ? undefined
          : this.store.get('invoice', invoiceParam, 'invoice', 'invoice');
      const invoiceCustomer =
        invoice === undefined || invoice.customer === null ? undefined : idOf(invoice.customer);
      const customerId = customerParam ?? invoiceCustomer;
      if (customerId === undefined) throw parameterMissing('customer');
      this.store.get('customer', customerId, 'customer', 'customer');
      if (invoice !== undefined) this.checkCanTakeItem(invoice, customerId, charge.currency);
      let parent: Stripe.InvoiceItem.Parent | null = null;
      if (subscriptionParam !== undefined) {
        const subscription = this.store.get(
          'subscription',
          subscriptionParam,
          'subscription',
          'subscription',
        );
        if (idOf(subscription.customer) !== customerId) {
          throw invalidRequest(
            `The subscription ${subscription.id} does not belong to the customer ${customerId}.`,
            'subscription',
          );
        }
        parent = {
          type: 'subscription_details',
          subscription_details: { subscription: subscription.id },
        };
      }
      const now = this.clock.nowForCustomer(customerId);
      const item = this.store.insert('invoiceitem', {
        id: newId('ii'),
        object: 'invoiceitem',
        amount: charge.amount,
        currency: charge.currency,
        customer: customerId,
        customer_account: null,
        date: now,
        description: fields.description ?? null,
        discountable: fields.discountable ?? charge.amount >= 0,
        discounts: [],
        invoice: null,
        livemode: false,
        metadata: fields.metadata ?? {},
        net_amount: charge.amount,
        parent,
        period: fields.period ?? { start: now, end: now },
        pricing: charge.pricing,
        proration: false,
        quantity: charge.quantity,
        quantity_decimal: Stripe.Decimal.from(charge.quantity),
        tax_rates: [],
        test_clock: this.clock.testClockOfCustomer(customerId),
      });
      if (invoice !== undefined) this.attach(item, invoice);
      this.events.record('invoiceitem.created', item, { testClock: this.testClockOf(item) });
      return item;
    });
  }

  /** A pending proration of a subscription item (see `InvoicesService.createProration`). */
  createProration(input: ProrationInput): Stripe.InvoiceItem {
    return this.store.transaction(() => {
      const now = this.clock.nowForCustomer(input.customer);
      const item = this.store.insert('invoiceitem', {
        id: newId('ii'),
        object: 'invoiceitem',
        amount: input.amount,
        currency: input.price.currency,
        customer: input.customer,
        customer_account: null,
        date: now,
        description: input.description,
        discountable: false,
        discounts: [],
        invoice: null,
        livemode: false,
        metadata: {},
        net_amount: input.amount,
        parent: {
          type: 'subscription_details',
          subscription_details: {
            subscription: input.subscription,
            subscription_item: input.subscriptionItem,
          },
        },
        period: { start: input.periodStart, end: input.periodEnd },
        pricing: pricingOfPrice(input.price, unitAmountOfTotal(input.amount, input.quantity)),
        proration: true,
        proration_details: { credited_items: null, discount_amounts: [] },
        quantity: input.quantity,
        quantity_decimal: Stripe.Decimal.from(input.quantity),
        tax_rates: [],
        test_clock: this.clock.testClockOfCustomer(input.customer),
      });
      this.events.record('invoiceitem.created', item, { testClock: this.testClockOf(item) });
      return item;
    });
  }

  update(id: string, params: Params): Stripe.InvoiceItem {
    const fields = readFields(params);
    return this.store.transaction(() => {
      const item = this.store.get('invoiceitem', id, 'invoiceitem');
      const invoice = this.invoiceOf(item);
      if (invoice !== undefined && invoice.status !== 'draft') {
        throw invalidRequest(
          `The invoice item ${id} belongs to invoice ${invoice.id}, which is no longer a draft, so it cannot be updated.`,
        );
      }
      const source = fields.source;
      let charge: Charge | undefined;
      if (source !== undefined) {
        charge = this.chargeOf(
          source,
          fields.quantity ?? (source.kind === 'amount' ? 1 : item.quantity),
          fields.currency ?? item.currency,
          params,
        );
        if (charge.currency !== item.currency) {
          throw invalidRequest(
            `The currency of the invoice item (${item.currency}) cannot be changed to ${charge.currency}.`,
          );
        }
      } else if (fields.quantity !== undefined) {
        charge = this.rechargeQuantity(item, fields.quantity);
      }
      params.done();
      if (charge !== undefined) {
        item.amount = charge.amount;
        item.net_amount = charge.amount;
        item.quantity = charge.quantity;
        item.quantity_decimal = Stripe.Decimal.from(charge.quantity);
        item.pricing = charge.pricing;
      }
      if (fields.description !== undefined) item.description = fields.description;
      if (fields.metadata !== undefined) {
        item.metadata = mergeMetadata(item.metadata ?? {}, fields.metadata);
      }
      if (fields.period !== undefined) item.period = fields.period;
      if (fields.discountable !== undefined) item.discountable = fields.discountable;
      if (invoice !== undefined) this.refreshLine(item, invoice);
      return item;
    });
  }

  remove(id: string): Stripe.DeletedInvoiceItem {
    return this.store.transaction(() => {
      const item = this.store.get('invoiceitem', id, 'invoiceitem');
      const invoice = this.invoiceOf(item);
      if (invoice !== undefined && invoice.status !== 'draft') {
        throw invalidRequest(
          `The invoice item ${id} belongs to invoice ${invoice.id}, which is no longer a draft, so it cannot be deleted.`,
        );
      }
      this.deleteItem(item);
      return { id, object: 'invoiceitem', deleted: true };
    });
  }

  /** Removes an item (from its draft invoice too) and records `invoiceitem.deleted`. */
  deleteItem(item: Stripe.InvoiceItem): void {
    const invoice = this.invoiceOf(item);
    if (invoice !== undefined) {
      invoice.lines.data = invoice.lines.data.filter((line) => !isLineOf(line, item.id));
      applyTotals(invoice);
    }
    this.store.remove('invoiceitem', item.id);
    this.events.record('invoiceitem.deleted', item, { testClock: this.testClockOf(item) });
  }

  list(params: Params): Stripe.InvoiceItem[] {
    const customer = params.string('customer');
    const invoice = params.string('invoice');
    const pending = params.boolean('pending');
    const created = createdFilter(params);
    return this.store.list(
      'invoiceitem',
      (item) =>
        (customer === undefined || idOf(item.customer) === customer) &&
        (invoice === undefined || (item.invoice !== null && idOf(item.invoice) === invoice)) &&
        (pending === undefined || (item.invoice === null) === pending) &&
        created(item.date),
    );
  }

  /** The customer's pending items (not on an invoice yet), oldest first. */
  pendingItems(
    customer: string,
    filter: (item: Stripe.InvoiceItem) => boolean = () => true,
  ): Stripe.InvoiceItem[] {
    return this.store
      .list(
        'invoiceitem',
        (item) => item.invoice === null && idOf(item.customer) === customer && filter(item),
      )
      .reverse();
  }

  /** Puts an item on a draft invoice: its line is added and the totals follow. */
  attach(item: Stripe.InvoiceItem, invoice: Stripe.Invoice): void {
    item.invoice = invoice.id;
    invoice.lines.data.push(invoiceItemLine(item, invoice.id, newId('il')));
    applyTotals(invoice);
  }

  private refreshLine(item: Stripe.InvoiceItem, invoice: Stripe.Invoice): void {
    invoice.lines.data = invoice.lines.data.map((line) =>
      isLineOf(line, item.id) ? invoiceItemLine(item, invoice.id, line.id) : line,
    );
    applyTotals(invoice);
  }

  private invoiceOf(item: Stripe.InvoiceItem): Stripe.Invoice | undefined {
    return item.invoice === null ? undefined : this.store.find('invoice', idOf(item.invoice));
  }

  private checkCanTakeItem(invoice: Stripe.Invoice, customer: string, currency: string): void {
    if (invoice.status !== 'draft') {
      throw invalidRequest(
        `Invoice ${invoice.id} is no longer a draft: invoice items can only be added to draft invoices.`,
        'invoice',
      );
    }
    if (invoice.customer === null || idOf(invoice.customer) !== customer) {
      throw invalidRequest(
        `The invoice ${invoice.id} belongs to another customer than ${customer}.`,
        'invoice',
      );
    }
    if (invoice.currency !== currency) {
      throw invalidRequest(
        `The currency of the invoice item (${currency}) must match the currency of the invoice (${invoice.currency}).`,
        'currency',
      );
    }
  }

  private chargeOf(
    source: ChargeSource,
    quantity: number,
    currency: string | undefined,
    params: Params,
  ): Charge {
    switch (source.kind) {
      case 'amount':
        return {
          amount: source.amount,
          currency: this.currencyOf(currency),
          quantity: 1,
          pricing: {
            type: 'price_details',
            unit_amount_decimal: Stripe.Decimal.from(source.amount),
          },
        };
      case 'unit_amount_decimal': {
        const unitAmount = exactDecimal(source.unitAmountDecimal);
        return {
          amount: totalOfUnitAmount(unitAmount, quantity),
          currency: this.currencyOf(currency),
          quantity,
          pricing: { type: 'price_details', unit_amount_decimal: unitAmount },
        };
      }
      case 'price': {
        const price = this.prices.get(source.price, 'pricing[price]');
        if (!price.active) {
          throw invalidRequest(
            `The price specified (${price.id}) is inactive. This field only accepts active prices.`,
            'pricing[price]',
          );
        }
        return this.chargeOfPrice(price, quantity, currency, params.path('currency'));
      }
      case 'price_data': {
        const price = this.prices.createFromPriceData(source.priceData, { recurring: 'forbidden' });
        return this.chargeOfPrice(price, quantity, currency, params.path('currency'));
      }
    }
  }

  private chargeOfPrice(
    price: Stripe.Price,
    quantity: number,
    currency: string | undefined,
    currencyParam: string,
  ): Charge {
    if (currency !== undefined && currency !== price.currency) {
      throw invalidRequest(
        `The currency (${currency}) must match the currency of the price (${price.currency}).`,
        currencyParam,
      );
    }
    return {
      amount: amountForQuantity(price, quantity),
      currency: price.currency,
      quantity,
      pricing: pricingOfPrice(price),
    };
  }

  private currencyOf(currency: string | undefined): string {
    if (currency === undefined) throw parameterMissing('currency');
    return currency;
  }

  /** The item's charge at another quantity, at the same price or unit amount. */
  private rechargeQuantity(item: Stripe.InvoiceItem, quantity: number): Charge {
    const priceId = item.pricing?.price_details?.price;
    if (priceId !== undefined) {
      const price = this.prices.get(idOf(priceId), 'pricing[price]');
      return { ...this.chargeOfPrice(price, quantity, undefined, 'currency'), quantity };
    }
    const unitAmount = item.pricing?.unit_amount_decimal ?? null;
    if (unitAmount === null) {
      throw invalidRequest(
        `The invoice item ${item.id} has no unit amount to multiply by a quantity.`,
        'quantity',
      );
    }
    return {
      amount: totalOfUnitAmount(exactDecimal(unitAmount), quantity),
      currency: item.currency,
      quantity,
      pricing: { type: 'price_details', unit_amount_decimal: exactDecimal(unitAmount) },
    };
  }

  private testClockOf(item: Stripe.InvoiceItem): string | null {
    return item.test_clock === null ? null : idOf(item.test_clock);
  }
}
