import { Injectable } from '@nestjs/common';
import {
  BILLING_INVOICE_CREATE_V1,
  BILLING_INVOICE_FINALIZE_V1,
  BILLING_INVOICE_GET_V1,
  BILLING_INVOICE_LIST_V1,
  BILLING_INVOICE_RUN_GET_V1,
  BILLING_INVOICE_RUN_START_V1,
  BILLING_INVOICE_VOID_V1,
  type InvoiceResourceV1,
  type InvoiceRunResourceV1,
  type ListV1,
} from '@aegis/contracts';
import { AmqpRpcClient } from '@aegis/messaging';
import { assertCustomerVisible } from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import { listOf, pageRequestOf, readPage } from '../http/list.js';
import type { CreateInvoiceDto, ListInvoicesQueryDto } from './invoices.dto.js';
import { invoiceErrorOf, invoiceNotFound, type InvoiceErrorSubject } from './invoices.exception.js';
import { invoiceResourceOf, invoiceRunResourceOf } from './invoice-resources.js';

/**
 * Making, finalizing and voiding an invoice takes several calls to Stripe
 * (an invoice item per line, the invoice, its finalization and payment):
 * more than the default RPC time-out allows for when Stripe is slow. A call
 * that times out still completes in billing; asking again returns its invoice.
 */
const STRIPE_SIDE_TIMEOUT_MS = 20_000;

/** A created invoice and whether this call made it (201) or found the period's (200). */
export interface CreatedInvoice {
  readonly invoice: InvoiceResourceV1;
  readonly created: boolean;
}

export interface StartedInvoiceRun {
  readonly run: InvoiceRunResourceV1;
  readonly created: boolean;
}

async function mapped<T>(call: Promise<T>, subject: InvoiceErrorSubject): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw invoiceErrorOf(error, subject);
  }
}

/**
 * The public invoice API over billing's RPC (`billing.invoice.*.v1`,
 * `billing.invoice_run.*.v1`): billing makes, prices and sends the invoices;
 * the gateway decides whose invoices a key may see and answers billing's
 * refusals with the contract's statuses.
 */
@Injectable()
export class InvoicesService {
  constructor(private readonly rpc: AmqpRpcClient) {}

  async create(body: CreateInvoiceDto): Promise<CreatedInvoice> {
    const { invoice, created } = await mapped(
      this.rpc.call(
        BILLING_INVOICE_CREATE_V1,
        {
          customerId: body.customer_id,
          billingPeriod: body.billing_period,
          ...(body.auto_finalize === undefined ? {} : { autoFinalize: body.auto_finalize }),
        },
        { timeoutMs: STRIPE_SIDE_TIMEOUT_MS },
      ),
      { customerId: body.customer_id },
    );
    return { invoice: invoiceResourceOf(invoice), created };
  }

  /** Newest first; a customer key's own customer's only (naming another's is a 404). */
  async list(
    principal: Principal,
    query: ListInvoicesQueryDto,
  ): Promise<ListV1<InvoiceResourceV1>> {
    let customerId = query.customer_id;
    if (principal.kind === 'customer') {
      customerId ??= principal.customerId;
      assertCustomerVisible(principal, customerId);
    }
    const page = pageRequestOf(query);
    const { invoices, hasMore } = await readPage(() =>
      mapped(
        this.rpc.call(BILLING_INVOICE_LIST_V1, {
          ...page,
          ...(customerId === undefined ? {} : { customerId }),
          ...(query.billing_period === undefined ? {} : { billingPeriod: query.billing_period }),
          ...(query.status === undefined ? {} : { status: query.status }),
        }),
        customerId === undefined ? {} : { customerId },
      ),
    );
    const visible =
      principal.kind === 'customer'
        ? invoices.filter((invoice) => invoice.customerId === principal.customerId)
        : invoices;
    return listOf(visible.map(invoiceResourceOf), hasMore);
  }

  /** One invoice; another customer's, under a customer key, is answered as one that does not exist. */
  async get(principal: Principal, invoiceId: string): Promise<InvoiceResourceV1> {
    const { invoice } = await mapped(
      this.rpc.call(BILLING_INVOICE_GET_V1, {
        invoiceId,
        ...(principal.kind === 'customer' ? { customerId: principal.customerId } : {}),
      }),
      { invoiceId },
    );
    if (principal.kind === 'customer' && invoice.customerId !== principal.customerId)
      throw invoiceNotFound(invoiceId);
    return invoiceResourceOf(invoice);
  }

  async finalize(invoiceId: string): Promise<InvoiceResourceV1> {
    const { invoice } = await mapped(
      this.rpc.call(
        BILLING_INVOICE_FINALIZE_V1,
        { invoiceId },
        { timeoutMs: STRIPE_SIDE_TIMEOUT_MS },
      ),
      { invoiceId },
    );
    return invoiceResourceOf(invoice);
  }

  async void(invoiceId: string): Promise<InvoiceResourceV1> {
    const { invoice } = await mapped(
      this.rpc.call(BILLING_INVOICE_VOID_V1, { invoiceId }, { timeoutMs: STRIPE_SIDE_TIMEOUT_MS }),
      { invoiceId },
    );
    return invoiceResourceOf(invoice);
  }

  async startRun(billingPeriod: string): Promise<StartedInvoiceRun> {
    const { run, created } = await mapped(
      this.rpc.call(BILLING_INVOICE_RUN_START_V1, { billingPeriod }),
      {},
    );
    return { run: invoiceRunResourceOf(run), created };
  }

  async getRun(runId: string): Promise<InvoiceRunResourceV1> {
    const { run } = await mapped(this.rpc.call(BILLING_INVOICE_RUN_GET_V1, { runId }), { runId });
    return invoiceRunResourceOf(run);
  }
}
