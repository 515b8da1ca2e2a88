import { startTracing } from '@fil/observability';
startTracing('order-orchestrator');
import { runService } from '@fil/platform';
import { AppModule, definition } from './app.module';
void runService(AppModule, definition);
