import { startTracing } from '@fil/observability';
startTracing('fulfillment');
import { main } from '@fil/platform';
import { AppModule, definition } from './app.module';
main(AppModule, definition);
