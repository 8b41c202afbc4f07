import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { DisputesEnv } from './config/disputes.env.js';
import { disputesStorage } from './disputes.storage.js';

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'disputes', env: DisputesEnv, storage: disputesStorage }),
  ],
})
export class AppModule {}
