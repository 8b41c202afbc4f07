import { Injectable } from '@nestjs/common';
import {
  invoiceLineIdOf,
  type ClaimUsageReplyV1,
  type ClaimedPeriodV1,
  type UsageValueV1,
} from '@aegis/contracts';
import type { EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode } from '../billing.exception.js';
import { DiscountsService, engineDiscountOf } from '../catalog/discounts.service.js';
import { PricingVersion } from '../catalog/entities/pricing-version.entity.js';
import { Product } from '../catalog/entities/product.entity.js';
import { PricingVersionsService } from '../catalog/pricing-versions.service.js';
import { BilledUsage } from './entities/billed-usage.entity.js';
import { InvoiceLine } from './entities/invoice-line.entity.js';
import type { Invoice } from './entities/invoice.entity.js';
import { priceUsage, pricingInstantOf } from './invoice-lines.js';

function quantityWords(value: string, product: Product): string {
  return `${value} ${product.unitLabel ?? (product.pricingType === 'outcome' ? 'deliverables' : 'units')}`;
}

/**
 * Turns a usage claim into invoice lines, inside the caller's transaction:
 * one line per product of the invoiced period, and one `late_usage` line per
 * product of an earlier period whose claim took new events. Each period is
 * priced with the pricing version and discount in force at its pricing
 * instant, fixed by its first line, so that its later lines price it the same.
 */
@Injectable()
export class InvoicePricingService {
  constructor(
    private readonly versions: PricingVersionsService,
    private readonly discounts: DiscountsService,
  ) {}

  async linesOf(
    manager: EntityManager,
    invoice: Invoice,
    claim: ClaimUsageReplyV1,
  ): Promise<{ lines: InvoiceLine[]; billed: BilledUsage[] }> {
    const lines: InvoiceLine[] = [];
    const billed: BilledUsage[] = [];
    for (const period of claim.periods) {
      for (const usage of [...period.products].sort((a, b) =>
        a.productId.localeCompare(b.productId),
      )) {
        const priced = await this.lineOf(manager, invoice, period, usage, lines.length);
        if (priced === null) continue;
        lines.push(priced.line);
        billed.push(priced.billed);
      }
    }
    const currencies = new Set(lines.map((line) => line.currency));
    if (currencies.size > 1) {
      throw new BillingException(
        BillingExceptionCode.MIXED_CURRENCIES,
        `the usage of ${invoice.billingPeriod} is priced in ${[...currencies].join(' and ')}: an invoice has one currency`,
      );
    }
    return { lines, billed };
  }

  private async lineOf(
    manager: EntityManager,
    invoice: Invoice,
    period: ClaimedPeriodV1,
    usage: UsageValueV1,
    position: number,
  ): Promise<{ line: InvoiceLine; billed: BilledUsage } | null> {
    const key = {
      customerId: invoice.customerId,
      productId: usage.productId,
      billingPeriod: period.billingPeriod,
    };
    const before = await manager.findOne(BilledUsage, {
      where: key,
      lock: { mode: 'pessimistic_write' },
    });
    // A period's lines bill its new events; a product none of them touched has nothing new to bill.
    if (usage.eventCount === 0 || (before !== null && usage.eventCount <= before.eventCount))
      return null;
    const product = await manager.findOneBy(Product, { productId: usage.productId });
    if (product === null) {
      throw new BillingException(
        BillingExceptionCode.NO_PRICING,
        `usage of ${usage.productId} in ${period.billingPeriod} names no product of the catalogue`,
      );
    }
    const pricedAt = before?.pricedAt ?? pricingInstantOf(period.billingPeriod, invoice.createdAt);
    // Usage back-dated to before the product's first version is priced with that first version.
    const version =
      before === null
        ? ((await this.versions.inForce(manager, product.productId, pricedAt)) ??
          (await manager.findOne(PricingVersion, {
            where: { productId: product.productId },
            order: { effectiveFrom: 'ASC' },
          })))
        : await manager.findOneBy(PricingVersion, { id: before.pricingVersionId });
    if (version === null) {
      throw new BillingException(
        BillingExceptionCode.NO_PRICING,
        `${product.productId} had no pricing in force at ${pricedAt.toISOString()}`,
      );
    }
    const discount = await this.discounts.inForce(
      manager,
      invoice.customerId,
      product.productId,
      pricedAt,
    );
    let priced;
    try {
      priced = priceUsage(
        usage,
        {
          model: version.pricing,
          currency: product.currency,
          discount: engineDiscountOf(discount),
        },
        before,
      );
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new BillingException(
        BillingExceptionCode.NO_PRICING,
        `${product.productId} in ${period.billingPeriod}: ${error.message}`,
      );
    }
    const lineId = invoiceLineIdOf(invoice.invoiceId, period.billingPeriod, product.productId);
    const description =
      priced.kind === 'usage'
        ? `${product.name}: ${quantityWords(usage.value, product)} (${period.billingPeriod})`
        : `Late usage for ${period.billingPeriod}: ${product.name}, ${quantityWords(usage.value, product)} in all, ${priced.previouslyBilledValue} billed before`;
    const line = manager.create(InvoiceLine, {
      lineId,
      invoiceId: invoice.invoiceId,
      position,
      kind: priced.kind,
      productId: product.productId,
      billingPeriod: period.billingPeriod,
      description,
      aggregation: usage.aggregation,
      value: usage.value,
      previouslyBilledValue: priced.previouslyBilledValue,
      eventCount: priced.eventCount,
      firstEventAt: usage.firstEventAt === null ? null : new Date(usage.firstEventAt),
      lastEventAt: usage.lastEventAt === null ? null : new Date(usage.lastEventAt),
      usageThrough: new Date(period.usageThrough),
      pricingVersionId: version.id,
      currency: product.currency,
      subtotal: priced.subtotal,
      discount: priced.discount,
      amount: priced.amount,
      stripeInvoiceItemId: null,
    });
    const billed = manager.create(BilledUsage, {
      ...key,
      ...priced.billed,
      pricingVersionId: version.id,
      pricedAt,
      lastLineId: lineId,
    });
    return { line, billed };
  }
}
