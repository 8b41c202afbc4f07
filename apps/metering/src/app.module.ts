import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { MeteringEnv } from './config/metering.env.js';
import { MetersModule } from './meters/meters.module.js';
import { meteringStorage } from './metering.storage.js';
import { UsageModule } from './usage/usage.module.js';

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'metering', env: MeteringEnv, storage: meteringStorage }),
    UsageModule,
    MetersModule,
  ],
})
export class AppModule {}
