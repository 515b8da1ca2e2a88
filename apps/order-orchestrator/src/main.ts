import { startTracing } from '@fil/observability';
startTracing('order-orchestrator');
import { main } from '@fil/platform';
import { AppModule, definition } from './app.module';
main(AppModule, definition);
