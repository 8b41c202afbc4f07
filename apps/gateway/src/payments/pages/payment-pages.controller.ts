import { randomBytes } from 'node:crypto';
import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  BILLING_CHECKOUT_PUBLIC_VIEW_V1,
  STRIPE_CHECKOUT_SESSION_ID_PATTERN,
  type CheckoutPageStatusV1,
} from '@aegis/contracts';
import { AmqpRpcClient, RpcRemoteError } from '@aegis/messaging';
import { InvalidInputException } from '@aegis/platform';
import type { Response } from 'express';
import { CheckoutException, CheckoutExceptionCode } from '../checkout/checkout.exception.js';
import {
  pageHeaders,
  renderCancelPage,
  renderProblemPage,
  renderSuccessPage,
} from './payment-pages.js';

const NOT_FOUND_TITLE = 'Checkout not found';
const NOT_FOUND_MESSAGE =
  'This link does not lead to a checkout. If you have just paid, your receipt comes by email.';

function nonceOf(): string {
  return randomBytes(16).toString('base64');
}

/** The session id of the page's URL, when it looks like one (anything else is not looked up). */
function sessionIdOf(value: unknown): string | null {
  return typeof value === 'string' && STRIPE_CHECKOUT_SESSION_ID_PATTERN.test(value) ? value : null;
}

/**
 * The bundled pages Stripe's hosted checkout sends people back to, and the
 * success page's status, all without a key: the Stripe session id in the URL
 * is what finds the checkout, and the pages show only what was bought and its
 * status, never who bought it.
 */
@ApiExcludeController()
@Controller('payment')
export class PaymentPagesController {
  constructor(private readonly rpc: AmqpRpcClient) {}

  @Get('success')
  async success(@Query('session_id') sessionId: unknown, @Res() response: Response): Promise<void> {
    const nonce = nonceOf();
    response.set(pageHeaders(nonce));
    const id = sessionIdOf(sessionId);
    if (id === null) {
      response.status(404).send(renderProblemPage(nonce, NOT_FOUND_TITLE, NOT_FOUND_MESSAGE));
      return;
    }
    try {
      const view = await this.view(id);
      response.status(200).send(renderSuccessPage(view, nonce));
    } catch (error) {
      if (error instanceof CheckoutException) {
        response.status(404).send(renderProblemPage(nonce, NOT_FOUND_TITLE, NOT_FOUND_MESSAGE));
        return;
      }
      response
        .status(503)
        .send(
          renderProblemPage(
            nonce,
            'Temporarily unavailable',
            'We cannot show this checkout right now. Please reload this page in a moment.',
          ),
        );
    }
  }

  @Get('cancel')
  cancel(@Res() response: Response): void {
    const nonce = nonceOf();
    response.set(pageHeaders(nonce)).status(200).send(renderCancelPage(nonce));
  }

  /** What the success page shows, as JSON, for its own updates. */
  @Get('success/status')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  status(@Query('session_id') sessionId: unknown): Promise<CheckoutPageStatusV1> {
    const id = sessionIdOf(sessionId);
    if (id === null)
      throw new InvalidInputException([
        { field: 'session_id', message: 'must be a Checkout Session id (cs_…)' },
      ]);
    return this.view(id);
  }

  private async view(stripeCheckoutSessionId: string): Promise<CheckoutPageStatusV1> {
    try {
      const { view } = await this.rpc.call(BILLING_CHECKOUT_PUBLIC_VIEW_V1, {
        stripeCheckoutSessionId,
      });
      return {
        status: view.status,
        name: view.name,
        quantity: view.quantity,
        amount_total: view.amountTotal,
        currency: view.currency,
      };
    } catch (error) {
      if (error instanceof RpcRemoteError && error.code === 'checkout_not_found')
        throw new CheckoutException(
          CheckoutExceptionCode.CHECKOUT_NOT_FOUND,
          'no checkout has that session',
        );
      throw error;
    }
  }
}
