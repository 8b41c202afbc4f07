import { Module } from '@nestjs/common';

/** Invoice items, invoices, subscriptions and test clocks. */
@Module({})
export class BillingModule {}
