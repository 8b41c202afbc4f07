import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BILLING_PAYMENT_STATUS_V1, type PaymentStatusResourceV1 } from '@aegis/contracts';
import { AmqpRpcClient } from '@aegis/messaging';
import { RequireApiKey } from '../../auth/access.decorators.js';
import {
  CurrencyRevenueResource,
  PaymentStatusResource,
  paymentStatusResourceOf,
} from './payment-status-resources.js';

/**
 * billing's answer waits for one Stripe health call (STRIPE_TIMEOUT_MS at
 * most, 10 s by default) and the subscriptions service's count (3 s at most).
 */
const STATUS_TIMEOUT_MS = 15_000;

/** `GET /api/v1/payment/status`: billing's, over RPC. Admin keys only. */
@ApiTags('payments')
@ApiExtraModels(CurrencyRevenueResource)
@RequireApiKey()
@Controller('api/v1/payment/status')
export class PaymentStatusController {
  constructor(private readonly rpc: AmqpRpcClient) {}

  @Get()
  @ApiOperation({
    summary: 'The payment provider’s health, mode and breaker; the ledger’s counts and revenue',
    description:
      'Always 200 while billing answers, whether Stripe does or not: reachable and provider_error say how Stripe answered one cheap authenticated call (GET /v1/balance, outside the breaker), circuit whether writes to Stripe are being refused. The counts and revenue come from the ledger, active_subscriptions from the subscriptions service.',
  })
  @ApiOkResponse({ type: PaymentStatusResource })
  @ApiResponse({ status: 503, description: 'billing is unreachable' })
  @ApiResponse({ status: 504, description: 'billing did not answer in time' })
  async get(): Promise<PaymentStatusResourceV1> {
    const status = await this.rpc.call(
      BILLING_PAYMENT_STATUS_V1,
      { caller: 'gateway' },
      { timeoutMs: STATUS_TIMEOUT_MS },
    );
    return paymentStatusResourceOf(status);
  }
}
