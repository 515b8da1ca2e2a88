import { startTracing } from '@fil/observability';
startTracing('fulfillment');
import { runService } from '@fil/platform';
import { AppModule, definition } from './app.module';
void runService(AppModule, definition);
