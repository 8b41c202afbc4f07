import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { InvoiceResourceV1, InvoiceRunResourceV1, ListV1 } from '@aegis/contracts';
import type { Response } from 'express';
import { CurrentPrincipal, CustomerKeysAllowed, RequireApiKey } from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import {
  CreateInvoiceDto,
  InvoiceIdParams,
  InvoiceRunIdParams,
  ListInvoicesQueryDto,
  StartInvoiceRunDto,
} from './invoices.dto.js';
import { InvoiceList, InvoiceResource, InvoiceRunResource } from './invoice-resources.js';
import { InvoicesService } from './invoices.service.js';

/** The scope a customer key needs to read its own customer's invoices. */
export const INVOICES_READ_SCOPE = 'invoices:read';

const BAD_INPUT = 'bad input: errors names each field at fault';
const NOT_FOUND = 'no such invoice, or another customer’s';
const STATE_CONFLICT =
  'invoice_state: the invoice’s status does not allow it; mixed_currencies or no_pricing: its usage cannot be priced as one invoice';
const STRIPE_REFUSED = 'Stripe refused (its code and message in detail)';
const STRIPE_UNAVAILABLE = 'Stripe or billing is unreachable';

/** Invoices from metered usage: billing's, over RPC. Customer keys read their own customer's. */
@ApiTags('invoices')
@RequireApiKey()
@Controller('api/v1/invoices')
export class InvoicesController {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly audit: AuditLogService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Invoice a customer’s metered usage of a billing period (one invoice per period)',
    description:
      'Claims the period’s usage (and any late usage of earlier periods), prices it with the pricing and discount in force, and sends it to Stripe as an invoice, finalized and collected unless auto_finalize is false. 201 when this call made it; 200 with the period’s invoice when it existed already.',
  })
  @ApiCreatedResponse({ type: InvoiceResource, description: 'made now' })
  @ApiOkResponse({ type: InvoiceResource, description: 'the period’s invoice existed: unchanged' })
  @ApiResponse({ status: 400, description: `${BAD_INPUT} (or a period that has not started)` })
  @ApiResponse({ status: 404, description: 'no such customer' })
  @ApiResponse({ status: 409, description: STATE_CONFLICT })
  @ApiResponse({ status: 502, description: STRIPE_REFUSED })
  @ApiResponse({ status: 503, description: STRIPE_UNAVAILABLE })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateInvoiceDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<InvoiceResourceV1> {
    const { invoice, created } = await this.invoices.create(body);
    if (created) await this.audit.recordAnswered(principal, 'invoice.create', invoice.id);
    response.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return invoice;
  }

  @Get()
  @CustomerKeysAllowed({ scope: INVOICES_READ_SCOPE })
  @ApiOperation({
    summary: 'List invoices, newest first (a customer key sees only its own customer’s)',
  })
  @ApiOkResponse({ type: InvoiceList })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  @ApiResponse({ status: 404, description: 'customer_id: no such customer, or not the key’s' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListInvoicesQueryDto,
  ): Promise<ListV1<InvoiceResourceV1>> {
    return this.invoices.list(principal, query);
  }

  @Get(':id')
  @CustomerKeysAllowed({ scope: INVOICES_READ_SCOPE })
  @ApiOperation({ summary: 'One invoice, each line saying which usage it prices' })
  @ApiOkResponse({ type: InvoiceResource })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param() params: InvoiceIdParams,
  ): Promise<InvoiceResourceV1> {
    return this.invoices.get(principal, params.id);
  }

  @Post(':id/finalize')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Finalize a draft at Stripe and collect it (or finish an interrupted Stripe side)',
  })
  @ApiOkResponse({ type: InvoiceResource })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  @ApiResponse({ status: 409, description: 'invoice_state: it cannot be finalized (e.g. void)' })
  @ApiResponse({ status: 502, description: STRIPE_REFUSED })
  @ApiResponse({ status: 503, description: STRIPE_UNAVAILABLE })
  async finalize(
    @CurrentPrincipal() principal: Principal,
    @Param() params: InvoiceIdParams,
  ): Promise<InvoiceResourceV1> {
    const invoice = await this.invoices.finalize(params.id);
    await this.audit.recordAnswered(principal, 'invoice.finalize', invoice.id);
    return invoice;
  }

  @Post(':id/void')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Void an invoice (a draft’s Stripe draft is deleted)' })
  @ApiOkResponse({ type: InvoiceResource })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  @ApiResponse({ status: 409, description: 'invoice_state: it cannot be voided (e.g. paid)' })
  @ApiResponse({ status: 502, description: STRIPE_REFUSED })
  @ApiResponse({ status: 503, description: STRIPE_UNAVAILABLE })
  async void(
    @CurrentPrincipal() principal: Principal,
    @Param() params: InvoiceIdParams,
  ): Promise<InvoiceResourceV1> {
    const invoice = await this.invoices.void(params.id);
    await this.audit.recordAnswered(principal, 'invoice.void', invoice.id);
    return invoice;
  }
}

/** Invoice runs: every customer with usage in a period invoiced, resumably. Admin keys only. */
@ApiTags('invoices')
@RequireApiKey()
@Controller('api/v1/invoice_runs')
export class InvoiceRunsController {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly audit: AuditLogService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Invoice every customer with usage in the period (resumable; follow it by its id)',
    description:
      'Always 202, as a Stripe events backfill is: with a new run, or with the period’s run already under way (one at a time per period).',
  })
  @ApiAcceptedResponse({ type: InvoiceRunResource })
  @ApiResponse({ status: 400, description: `${BAD_INPUT} (or a period that has not started)` })
  async startRun(
    @CurrentPrincipal() principal: Principal,
    @Body() body: StartInvoiceRunDto,
  ): Promise<InvoiceRunResourceV1> {
    const { run, created } = await this.invoices.startRun(body.billing_period);
    if (created) await this.audit.recordAnswered(principal, 'invoice_run.start', run.id);
    return run;
  }

  @Get(':id')
  @ApiOperation({ summary: 'How far an invoice run got, and why any customer failed' })
  @ApiOkResponse({ type: InvoiceRunResource })
  @ApiResponse({ status: 404, description: 'no such invoice run' })
  getRun(@Param() params: InvoiceRunIdParams): Promise<InvoiceRunResourceV1> {
    return this.invoices.getRun(params.id);
  }
}
