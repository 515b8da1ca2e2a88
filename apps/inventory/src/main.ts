import { startTracing } from '@fil/observability';
startTracing('inventory');
import { runService } from '@fil/platform';
import { AppModule, definition } from './app.module';
void runService(AppModule, definition);
