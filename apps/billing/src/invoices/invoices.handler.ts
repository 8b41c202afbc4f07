import { Controller } from '@nestjs/common';
import {
  BILLING_INVOICE_CREATE_V1,
  BILLING_INVOICE_FINALIZE_V1,
  BILLING_INVOICE_GET_V1,
  BILLING_INVOICE_LIST_V1,
  BILLING_INVOICE_RUN_GET_V1,
  BILLING_INVOICE_RUN_START_V1,
  BILLING_INVOICE_VOID_V1,
  type CreateInvoiceReplyV1,
  type CreateInvoiceRequestV1,
  type InvoiceRefV1,
  type InvoiceReplyV1,
  type InvoiceRunRefV1,
  type InvoiceRunReplyV1,
  type ListInvoicesReplyV1,
  type ListInvoicesRequestV1,
  type StartInvoiceRunRequestV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { InvoiceRunsService } from './invoice-runs.service.js';
import { InvoicesService } from './invoices.service.js';

/** The invoices' RPC routes (libs/contracts/src/rpc/invoices.v1.ts). */
@Controller()
export class InvoicesHandler {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly runs: InvoiceRunsService,
  ) {}

  @OnRpc(BILLING_INVOICE_CREATE_V1)
  create(request: CreateInvoiceRequestV1): Promise<CreateInvoiceReplyV1> {
    return this.invoices.create(request);
  }

  @OnRpc(BILLING_INVOICE_GET_V1)
  get(request: InvoiceRefV1): Promise<InvoiceReplyV1> {
    return this.invoices.get(request);
  }

  @OnRpc(BILLING_INVOICE_LIST_V1)
  list(request: ListInvoicesRequestV1): Promise<ListInvoicesReplyV1> {
    return this.invoices.list(request);
  }

  @OnRpc(BILLING_INVOICE_FINALIZE_V1)
  finalize(request: InvoiceRefV1): Promise<InvoiceReplyV1> {
    return this.invoices.finalize(request);
  }

  @OnRpc(BILLING_INVOICE_VOID_V1)
  void(request: InvoiceRefV1): Promise<InvoiceReplyV1> {
    return this.invoices.void(request);
  }

  @OnRpc(BILLING_INVOICE_RUN_START_V1)
  startRun(request: StartInvoiceRunRequestV1): Promise<InvoiceRunReplyV1> {
    return this.runs.start(request);
  }

  @OnRpc(BILLING_INVOICE_RUN_GET_V1)
  getRun(request: InvoiceRunRefV1): Promise<InvoiceRunReplyV1> {
    return this.runs.get(request);
  }
}
