import { startTracing } from '@fil/observability';
startTracing('returns');
import { main } from '@fil/platform';
import { AppModule, definition } from './app.module';
main(AppModule, definition);
