import { runService } from '@aegis/platform';
import { AppModule } from './app.module.js';

runService(AppModule, 'billing');
