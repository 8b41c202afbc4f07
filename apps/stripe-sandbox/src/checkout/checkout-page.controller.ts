import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type Stripe from 'stripe';
import { formOf } from '../core/form.js';
import { StripeApiError } from '../core/stripe-error.js';
import { sendHtml } from '../core/html.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { StorePersistence } from '../store/store-persistence.js';
import {
  EMPTY_FORM,
  parseExpiry,
  renderCheckoutPage,
  renderClosedPage,
  renderMissingPage,
  type CheckoutForm,
} from './checkout-page.js';
import { successUrlOf } from './checkout-session-objects.js';
import { CheckoutService } from './checkout.service.js';

/**
 * The sandbox's hosted payment page, where a session's `url` leads: plain
 * HTML for a browser, no API key. Paying posts the form back here; success
 * redirects to the session's `success_url`.
 */
@Controller('checkout/pay')
export class CheckoutPageController {
  constructor(
    private readonly checkout: CheckoutService,
    private readonly store: SandboxStore,
    private readonly persistence: StorePersistence,
  ) {}

  @Get(':id')
  async show(@Param('id') id: string, @Res() response: Response): Promise<void> {
    const session = this.openOrAnswer(id, response);
    await this.persistence.flush();
    if (session === null) return;
    sendHtml(response, 200, this.render(session, EMPTY_FORM, null));
  }

  @Post(':id')
  async pay(
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const session = this.openOrAnswer(id, response);
    if (session === null) {
      await this.persistence.flush();
      return;
    }
    const form = readForm(request);
    const expiry = parseExpiry(form.expiry);
    const problem =
      form.cardNumber === ''
        ? 'Your card number is incomplete.'
        : expiry === null
          ? "Your card's expiration date is incomplete."
          : !/^\d{3,4}$/.test(form.cvc)
            ? "Your card's security code is incomplete."
            : null;
    if (problem !== null || expiry === null) {
      sendHtml(response, 400, this.render(session, form, problem));
      return;
    }
    try {
      const completed = this.checkout.complete(id, {
        kind: 'card',
        card: {
          number: form.cardNumber.replace(/[\s-]/g, ''),
          expMonth: expiry.month,
          expYear: expiry.year,
          cvc: form.cvc,
        },
        email: form.email === '' ? null : form.email,
        name: form.name === '' ? null : form.name,
      });
      await this.persistence.flush();
      const successUrl = successUrlOf(completed);
      if (successUrl === null) {
        sendHtml(response, 200, renderClosedPage(completed, null));
        return;
      }
      response.redirect(303, successUrl);
    } catch (error) {
      await this.persistence.flush();
      if (!(error instanceof StripeApiError) || error.status >= 500) throw error;
      const current = this.store.find('checkout.session', id);
      if (current?.status !== 'open') {
        sendHtml(response, 409, closedOrMissing(id, current));
        return;
      }
      sendHtml(response, error.status, this.render(current, form, error.message));
    }
  }

  /** The open session, or null after answering with the page that says why it cannot be paid. */
  private openOrAnswer(id: string, response: Response): Stripe.Checkout.Session | null {
    this.checkout.expireDue();
    const session = this.store.find('checkout.session', id);
    if (session?.status !== 'open') {
      sendHtml(response, session === undefined ? 404 : 200, closedOrMissing(id, session));
      return null;
    }
    return session;
  }

  private render(
    session: Stripe.Checkout.Session,
    form: CheckoutForm,
    error: string | null,
  ): string {
    const customerId = typeof session.customer === 'string' ? session.customer : null;
    const customerEmail =
      customerId === null ? null : (this.store.find('customer', customerId)?.email ?? null);
    return renderCheckoutPage({
      session,
      lineItems: this.checkout.lineItemsOf(session.id),
      knownEmail: session.customer_email ?? customerEmail,
      form,
      error,
    });
  }
}

function closedOrMissing(id: string, session: Stripe.Checkout.Session | undefined): string {
  return session === undefined
    ? renderMissingPage(id)
    : renderClosedPage(session, successUrlOf(session));
}

function readForm(request: Request): CheckoutForm {
  const params = formOf(request);
  const field = (name: string): string => {
    try {
      return params.string(name)?.trim() ?? '';
    } catch {
      return '';
    }
  };
  return {
    email: field('email'),
    name: field('name'),
    cardNumber: field('card_number'),
    expiry: field('card_expiry'),
    cvc: field('card_cvc'),
  };
}
