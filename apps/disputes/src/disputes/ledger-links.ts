import { Injectable, Logger } from '@nestjs/common';
import { BILLING_TRANSACTION_OF_STRIPE_V1, type LedgerTransactionV1 } from '@aegis/contracts';
import { AmqpRpcClient, RpcTimeoutError, RpcUnreachableError } from '@aegis/messaging';
import { StripeProvider, customerIdOfStripeCustomer } from '@aegis/stripe';

/** Billing's answer is awaited this long inside an event's transaction; a later sweep tries again. */
const LINK_TIMEOUT_MS = 3_000;

/** The ledger's side of a Stripe charge: billing's transaction and whose it is. */
@Injectable()
export class LedgerLinks {
  private readonly logger = new Logger(LedgerLinks.name);

  constructor(
    private readonly rpc: AmqpRpcClient,
    private readonly stripe: StripeProvider,
  ) {}

  /**
   * billing's transaction of the charge (else of the payment intent); null
   * when billing has none yet or cannot answer now (the sweep links it later).
   */
  async transactionOf(
    stripeChargeId: string,
    stripePaymentIntentId: string | null,
  ): Promise<LedgerTransactionV1 | null> {
    try {
      const { transaction } = await this.rpc.call(
        BILLING_TRANSACTION_OF_STRIPE_V1,
        {
          stripeChargeId,
          ...(stripePaymentIntentId === null ? {} : { stripePaymentIntentId }),
        },
        { timeoutMs: LINK_TIMEOUT_MS },
      );
      return transaction;
    } catch (error) {
      if (!(error instanceof RpcTimeoutError || error instanceof RpcUnreachableError)) throw error;
      this.logger.warn(`billing did not answer for charge ${stripeChargeId}: ${error.message}`);
      return null;
    }
  }

  /** The one customer id of a charge's Stripe customer (null for a charge without one). */
  async customerIdOfCharge(stripeChargeId: string): Promise<string | null> {
    const charge = await this.stripe.refetch('charge', stripeChargeId, { expand: ['customer'] });
    const customer = charge.customer;
    if (customer === null) return null;
    return customerIdOfStripeCustomer(
      typeof customer === 'string' ? await this.stripe.refetch('customer', customer) : customer,
    );
  }
}
