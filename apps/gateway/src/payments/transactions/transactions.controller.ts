import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { ListV1, TransactionResourceV1 } from '@aegis/contracts';
import {
  CurrentPrincipal,
  CustomerKeysAllowed,
  RequireApiKey,
} from '../../auth/access.decorators.js';
import type { Principal } from '../../auth/principal.js';
import { AuditLogService } from '../../audit/audit-log.service.js';
import { TransactionList, TransactionResource } from './ledger-resources.js';
import {
  ListTransactionsQueryDto,
  RecordTransactionDto,
  TransactionIdParams,
} from './transactions.dto.js';
import { TransactionsService } from './transactions.service.js';

/** The scope a customer key needs to read its own customer's transactions and refunds. */
export const TRANSACTIONS_READ_SCOPE = 'transactions:read';

const BAD_INPUT = 'bad input: errors names each field at fault';

/** The ledger: billing's, over RPC. Customer keys read their own customer's. */
@ApiTags('payments')
@RequireApiKey()
@Controller('api/v1/payment/transactions')
export class TransactionsController {
  constructor(
    private readonly transactions: TransactionsService,
    private readonly audit: AuditLogService,
  ) {}

  @Get()
  @CustomerKeysAllowed({ scope: TRANSACTIONS_READ_SCOPE })
  @ApiOperation({
    summary: 'List the ledger, newest first (a customer key sees only its own customer’s)',
    description:
      'Every charge, subscription payment and manual transaction, each naming its product or plan, its invoice or checkout session, and its refunds.',
  })
  @ApiOkResponse({ type: TransactionList })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 404, description: 'customer_id: no such customer, or not the key’s' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListTransactionsQueryDto,
  ): Promise<ListV1<TransactionResourceV1>> {
    return this.transactions.list(principal, query);
  }

  @Get(':id')
  @CustomerKeysAllowed({ scope: TRANSACTIONS_READ_SCOPE })
  @ApiOperation({ summary: 'One transaction with its refunds' })
  @ApiOkResponse({ type: TransactionResource })
  @ApiResponse({ status: 404, description: 'no such transaction, or another customer’s' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param() params: TransactionIdParams,
  ): Promise<TransactionResourceV1> {
    return this.transactions.get(principal, params.id);
  }

  @Post()
  @ApiOperation({
    summary: 'Record money taken outside Stripe (the seed’s record_transaction)',
    description:
      'A succeeded transaction of source manual, without Stripe ids. It cannot be refunded through Stripe (409 not_refundable).',
  })
  @ApiCreatedResponse({ type: TransactionResource })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 404, description: 'no such customer' })
  async record(
    @CurrentPrincipal() principal: Principal,
    @Body() body: RecordTransactionDto,
  ): Promise<TransactionResourceV1> {
    const transaction = await this.transactions.record(body);
    await this.audit.recordAnswered(principal, 'transaction.record', transaction.id);
    return transaction;
  }
}
