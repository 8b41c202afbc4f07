import { Module } from '@nestjs/common';
import { UsageController } from './usage.controller.js';
import { UsageService } from './usage.service.js';

/** `POST /api/v1/usage`, `GET /api/v1/usage` and `/usage/summary`: metering's, over RPC. */
@Module({ controllers: [UsageController], providers: [UsageService] })
export class UsageModule {}
