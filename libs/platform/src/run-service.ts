import { ValidationPipe, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { MikroORM } from '@mikro-orm/postgresql';
import { JsonLogger } from '@fil/observability';
import { databaseName, ensureDatabase } from '@fil/persistence';

export interface ServiceDefinition {
  service: string;
  title: string;
  description: string;
  defaultPort: number;
}

/**
 * Starts one service: its database (created and migrated), HTTP with
 * validation, OpenAPI at /docs, then Kafka consumers and the outbox relay.
 */
export async function runService(module: Type, definition: ServiceDefinition): Promise<INestApplication> {
  await ensureDatabase(databaseName(definition.service));
  const app = await NestFactory.create(module, { logger: new JsonLogger(definition.service) });
  app.useGlobalPipes(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }));
  app.enableShutdownHooks();
  await app.get(MikroORM).getMigrator().up();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Fil ${definition.title}`)
      .setDescription(definition.description)
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });

  const port = Number(process.env[`${definition.service.toUpperCase().replace(/-/g, '_')}_PORT`] ?? definition.defaultPort);
  await app.listen(port, process.env.FIL_HTTP_HOST ?? '127.0.0.1');
  return app;
}
