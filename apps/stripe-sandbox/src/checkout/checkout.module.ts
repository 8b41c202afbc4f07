import { Module } from '@nestjs/common';

/** Checkout sessions, their payment page and the test helper that completes them. */
@Module({})
export class CheckoutModule {}
