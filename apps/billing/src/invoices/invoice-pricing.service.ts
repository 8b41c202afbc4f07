import { Injectable, Logger } from '@nestjs/common';
import {
  SUBSCRIPTIONS_OVERAGE_TERMS_V1,
  invoiceLineIdOf,
  type ClaimUsageReplyV1,
  type ClaimedPeriodV1,
  type UsageValueV1,
} from '@aegis/contracts';
import { AmqpRpcClient } from '@aegis/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode, errorText } from '../billing.exception.js';
import { DiscountsService, engineDiscountOf } from '../catalog/discounts.service.js';
import { PricingVersion } from '../catalog/entities/pricing-version.entity.js';
import { Product } from '../catalog/entities/product.entity.js';
import { PricingVersionsService } from '../catalog/pricing-versions.service.js';
import { BillingEnv } from '../config/billing.env.js';
import { BilledUsage } from './entities/billed-usage.entity.js';
import { InvoiceLine } from './entities/invoice-line.entity.js';
import { InvoicePlanTerms } from './entities/invoice-plan-terms.entity.js';
import type { Invoice } from './entities/invoice.entity.js';
import { priceUsage, pricingInstantOf, type PeriodPricing } from './invoice-lines.js';
import {
  planHoursModel,
  planHoursTermsOf,
  planHoursWords,
  type PlanHoursTerms,
} from './plan-hours.js';

/** Per billing period of a claim: the plan terms its hours are priced with (null: no plan). */
export type PlanTermsByPeriod = ReadonlyMap<string, PlanHoursTerms | null>;

function quantityWords(value: string, product: Product): string {
  return `${value} ${product.unitLabel ?? (product.pricingType === 'outcome' ? 'deliverables' : 'units')}`;
}

/**
 * Turns a usage claim into invoice lines, inside the caller's transaction:
 * one line per product of the invoiced period, and one `late_usage` line per
 * product of an earlier period whose claim took new events. Each period is
 * priced with the pricing version and discount in force at its pricing
 * instant, fixed by its first line, so that its later lines price it the same.
 * The hours product (PLAN_HOURS_PRODUCT_ID) of a customer with a plan is
 * priced by the plan's overage terms instead, fixed the same way.
 */
@Injectable()
export class InvoicePricingService {
  private readonly logger = new Logger(InvoicePricingService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly versions: PricingVersionsService,
    private readonly discounts: DiscountsService,
    private readonly rpc: AmqpRpcClient,
    private readonly env: BillingEnv,
  ) {}

  /**
   * Before the pricing transaction: the plan terms of each period of the
   * claim with new hours not priced before (a period priced before keeps the
   * terms stored with it). Asked of the subscriptions service once per
   * invoice and period, and kept (`invoice_plan_terms`), so that a resumed
   * invoice prices with the same answer. A claim without hours asks nothing.
   * Throws (an RpcError) when the subscriptions service does not answer: the
   * invoice stays reserved and is priced when it does, never by the catalogue.
   */
  async planTermsOf(invoice: Invoice, claim: ClaimUsageReplyV1): Promise<PlanTermsByPeriod> {
    const productId = this.env.PLAN_HOURS_PRODUCT_ID;
    const terms = new Map<string, PlanHoursTerms | null>();
    const { manager } = this.dataSource;
    for (const period of claim.periods) {
      const hours = period.products.find((usage) => usage.productId === productId);
      if (hours === undefined || hours.eventCount === 0) continue;
      const pricedBefore = await manager.existsBy(BilledUsage, {
        customerId: invoice.customerId,
        productId,
        billingPeriod: period.billingPeriod,
      });
      if (pricedBefore) continue;
      const kept = await manager.findOneBy(InvoicePlanTerms, {
        invoiceId: invoice.invoiceId,
        billingPeriod: period.billingPeriod,
      });
      if (kept !== null) {
        terms.set(period.billingPeriod, kept.terms);
        continue;
      }
      const answer = await this.askPlanTerms(invoice, period.billingPeriod);
      await manager
        .createQueryBuilder()
        .insert()
        .into(InvoicePlanTerms)
        .values({
          invoiceId: invoice.invoiceId,
          billingPeriod: period.billingPeriod,
          terms: answer,
          askedAt: new Date(),
        })
        .orIgnore()
        .execute();
      const stored = await manager.findOneByOrFail(InvoicePlanTerms, {
        invoiceId: invoice.invoiceId,
        billingPeriod: period.billingPeriod,
      });
      terms.set(period.billingPeriod, stored.terms);
    }
    return terms;
  }

  private async askPlanTerms(
    invoice: Invoice,
    billingPeriod: string,
  ): Promise<PlanHoursTerms | null> {
    let answer;
    try {
      answer = await this.rpc.call(
        SUBSCRIPTIONS_OVERAGE_TERMS_V1,
        { customerId: invoice.customerId, billingPeriod },
        { timeoutMs: this.env.PLAN_TERMS_TIMEOUT_MS },
      );
    } catch (error) {
      this.logger.warn(
        `invoice ${invoice.invoiceId}: the hours of ${billingPeriod} wait for the plan's terms: ${errorText(error)}`,
      );
      throw error;
    }
    if (answer.terms === null) return null;
    if (answer.terms.hoursProductId !== this.env.PLAN_HOURS_PRODUCT_ID) {
      // Not retryable by waiting: the two services disagree on the hours product.
      throw new Error(
        `the subscriptions service prices ${answer.terms.hoursProductId} as the plan's hours, billing ${this.env.PLAN_HOURS_PRODUCT_ID} (PLAN_HOURS_PRODUCT_ID)`,
      );
    }
    return planHoursTermsOf(answer.terms);
  }

  async linesOf(
    manager: EntityManager,
    invoice: Invoice,
    claim: ClaimUsageReplyV1,
    planTerms: PlanTermsByPeriod = new Map(),
  ): Promise<{ lines: InvoiceLine[]; billed: BilledUsage[] }> {
    const lines: InvoiceLine[] = [];
    const billed: BilledUsage[] = [];
    for (const period of claim.periods) {
      for (const usage of [...period.products].sort((a, b) =>
        a.productId.localeCompare(b.productId),
      )) {
        const priced = await this.lineOf(manager, invoice, period, usage, lines.length, planTerms);
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
    planTerms: PlanTermsByPeriod,
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
    const terms = this.termsOf(period.billingPeriod, product.productId, before, planTerms);
    let priced;
    try {
      const pricing: PeriodPricing =
        terms === null
          ? {
              model: version.pricing,
              currency: product.currency,
              discount: engineDiscountOf(
                await this.discounts.inForce(
                  manager,
                  invoice.customerId,
                  product.productId,
                  pricedAt,
                ),
              ),
            }
          : // The plan's price is the plan's: catalogue discounts are not taken from it.
            { model: planHoursModel(terms), currency: terms.currency, discount: null };
      priced = priceUsage(usage, pricing, before);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new BillingException(
        BillingExceptionCode.NO_PRICING,
        `${product.productId} in ${period.billingPeriod}: ${error.message}`,
      );
    }
    const lineId = invoiceLineIdOf(invoice.invoiceId, period.billingPeriod, product.productId);
    const onPlan = terms === null ? '' : `: ${planHoursWords(usage.value, terms)}`;
    const description =
      priced.kind === 'usage'
        ? terms === null
          ? `${product.name}: ${quantityWords(usage.value, product)} (${period.billingPeriod})`
          : `${product.name}${onPlan} (${period.billingPeriod})`
        : `Late usage for ${period.billingPeriod}: ${product.name}, ${quantityWords(usage.value, product)} in all, ${priced.previouslyBilledValue} billed before${onPlan}`;
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
      planTerms: terms,
      currency: terms?.currency ?? product.currency,
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
      planTerms: terms,
      lastLineId: lineId,
    });
    return { line, billed };
  }

  /**
   * The plan terms a product's period is priced with: none but for the hours
   * product; for it, those the period was first priced with, else those the
   * invoice was given for the period (planTermsOf).
   */
  private termsOf(
    billingPeriod: string,
    productId: string,
    before: BilledUsage | null,
    planTerms: PlanTermsByPeriod,
  ): PlanHoursTerms | null {
    if (productId !== this.env.PLAN_HOURS_PRODUCT_ID) return null;
    if (before !== null) return before.planTerms;
    const terms = planTerms.get(billingPeriod);
    if (terms === undefined) {
      throw new Error(
        `the hours of ${billingPeriod} have no plan terms: they were not asked before pricing`,
      );
    }
    return terms;
  }
}
