import { Controller, Get, Param } from '@nestjs/common';
import type Stripe from 'stripe';
import { Form } from '../core/form.js';
import { createdFilter, paginate } from '../core/list.js';
import type { Params } from '../core/params.js';
import { StripeApi } from '../core/stripe-api.decorators.js';
import { resourceMissing } from '../core/stripe-error.js';

import { InvoicesService } from './invoices.service.js';
import { idOf } from '../core/ids.js';

/** The payments of invoices (`inpay_…`), as kept in each invoice's `payments`. */
@StripeApi()
@Controller('v1/invoice_payments')
export class InvoicePaymentsController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get('')
  list(@Form() params: Params): Stripe.ApiList<Stripe.InvoicePayment> {
    const invoice = params.string('invoice');
    const status = params.oneOf('status', ['canceled', 'open', 'paid'] as const);
    const payment = params.object('payment');
    const paymentType = payment?.oneOf('type', ['payment_intent', 'payment_record'] as const);
    const paymentIntent = payment?.string('payment_intent');
    payment?.string('payment_record');
    const created = createdFilter(params);
    const payments = this.invoices
      .listPayments()
      .filter(
        (candidate) =>
          (invoice === undefined || idOf(candidate.invoice) === invoice) &&
          (status === undefined || candidate.status === status) &&
          (paymentType === undefined || candidate.payment.type === paymentType) &&
          (paymentIntent === undefined ||
            (candidate.payment.payment_intent !== undefined &&
              idOf(candidate.payment.payment_intent) === paymentIntent)) &&
          created(candidate.created),
      );
    const page = paginate(payments, params, '/v1/invoice_payments');
    params.done();
    return page;
  }

  @Get(':id')
  retrieve(@Param('id') id: string, @Form() params: Params): Stripe.InvoicePayment {
    params.done();
    const payment = this.invoices.listPayments().find((candidate) => candidate.id === id);
    if (payment === undefined) throw resourceMissing('invoice_payment', id);
    return payment;
  }
}
