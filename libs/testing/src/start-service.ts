import type { INestApplication, Type } from '@nestjs/common';
import { runService, type ServiceDefinition } from '@fil/platform';

/** Starts a whole service in the test process on a free port; returns it with its base URL. */
export async function startService(module: Type, definition: ServiceDefinition): Promise<{ app: INestApplication; url: string }> {
  process.env[`${definition.service.toUpperCase().replace(/-/g, '_')}_PORT`] = '0';
  const app = await runService(module, definition);
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}` };
}
