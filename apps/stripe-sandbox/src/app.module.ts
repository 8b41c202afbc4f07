import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { StripeSandboxEnv } from './config/stripe-sandbox.env.js';

@Module({
  imports: [PlatformModule.forRoot({ service: 'stripe-sandbox', env: StripeSandboxEnv })],
})
export class AppModule {}
