import { ValidationPipe, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { MikroORM } from '@mikro-orm/postgresql';
import { tokenConfig } from '@fil/auth';
import { loadConfiguration, setting, type Variable } from '@fil/config';
import { kafkaConnectionOptions } from '@fil/messaging';
import { JsonLogger } from '@fil/observability';
import { databaseName, ensureDatabase } from '@fil/persistence';
import { HTTP_BODY_LIMIT, HTTP_HOST, portVariable, serviceVariables } from './platform-variables';
import { SafeInputPipe } from './safe-input.pipe';
import { HttpRouteInterceptor } from './http-route';

export interface ServiceDefinition {
  service: string;
  title: string;
  description: string;
  defaultPort: number;
  /** The variables the service reads besides those every service shares (docs/configuration.md). */
  variables?: Variable<unknown>[];
}

/**
 * Starts one service: its database (created and migrated), HTTP with
 * validation, OpenAPI at /docs, then Kafka consumers and the outbox relay.
 */
export async function runService(module: Type, definition: ServiceDefinition): Promise<INestApplication> {
  // Configuration first: a bad value stops the service before it touches anything.
  loadConfiguration(serviceVariables(definition), process.env, [tokenConfig, kafkaConnectionOptions]);
  await ensureDatabase(databaseName(definition.service));
  const app = await NestFactory.create<NestExpressApplication>(module, { logger: new JsonLogger(definition.service), bodyParser: false, abortOnError: false });
  app.use(securityHeaders());
  // No request body of Fil's API comes near this; a bigger one is refused before it is parsed.
  // Not strict: `null` or `"text"` reach SafeInputPipe, which says the body must be an object.
  app.useBodyParser('json', { limit: setting(HTTP_BODY_LIMIT), strict: false });
  app.use(refusedBody);
  app.useGlobalPipes(new SafeInputPipe(), new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }));
  app.useGlobalInterceptors(new HttpRouteInterceptor());
  app.enableShutdownHooks();
  await app.get(MikroORM).getMigrator().up();

  const document = openApiDocument(app, definition);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });

  await app.listen(setting(portVariable(definition.service, definition.defaultPort)), setting(HTTP_HOST));
  return app;
}

/** The service's OpenAPI document, as served at /docs/openapi.json; needs the controllers registered, not started. */
export function openApiDocument(app: INestApplication, definition: ServiceDefinition): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Fil ${definition.title}`)
      .setDescription(definition.description)
      .setVersion('1')
      .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
      // Relative first: right wherever the service runs (any port, behind any proxy).
      .addServer('/', 'This service, where this document is served')
      .addServer(`http://127.0.0.1:${definition.defaultPort}`, 'On a developer machine, at the default port')
      .addBearerAuth()
      .build(),
  );
  return withInputAnswers(document);
}

const WITH_BODY = ['post', 'put', 'patch'];
type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

/**
 * Every operation answers bad input 400 (SafeInputPipe and the validation pipe, for any path id,
 * query or body) and an oversized body 413 (the body parser, before any route): said once here,
 * where a decorator on each route would be forgotten on the next.
 */
function withInputAnswers(document: OpenAPIObject): OpenAPIObject {
  for (const operations of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(operations) as [string, Operation][]) {
      if (!operation?.responses) continue;
      const readsInput = WITH_BODY.includes(method) || !!operation.parameters?.length;
      if (readsInput) operation.responses['400'] ??= { description: 'Bad input: the message names the path id, query parameter or body field outside its rule, or says the body is not JSON' };
      if (WITH_BODY.includes(method)) operation.responses['413'] ??= { description: 'A body larger than FIL_HTTP_BODY_LIMIT (64 KiB by default), refused before it is read' };
    }
  }
  return document;
}

/** Strict headers for the API; the Swagger UI at /docs needs its own scripts and styles. */
function securityHeaders() {
  const api = helmet();
  // Served over plain HTTP on a developer's machine: upgrading its scripts to https would break it.
  const docs = helmet({ contentSecurityPolicy: { directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'upgrade-insecure-requests': null } } });
  return (request: { path: string }, response: unknown, next: () => void) =>
    (request.path.startsWith('/docs') ? docs : api)(request as never, response as never, next);
}

/**
 * A body that is not JSON, or too large, is answered like any other bad input (400 naming the
 * body, 413), not left to Nest's handler of the unexpected, which logs each one as an error with
 * its stack: anyone could fill the logs so.
 */
function refusedBody(
  error: { type?: string; message?: string; limit?: number },
  _request: unknown,
  response: { status(code: number): { json(body: unknown): void } },
  next: (error?: unknown) => void,
) {
  if (error?.type === 'entity.parse.failed') {
    return response.status(400).json({ message: [`body: is not valid JSON (${error.message})`], error: 'Bad Request', statusCode: 400 });
  }
  if (error?.type === 'entity.too.large') {
    return response.status(413).json({ message: `request entity too large: the body may be at most ${error.limit} bytes`, error: 'Payload Too Large', statusCode: 413 });
  }
  next(error);
}

/** A service's entry point: runs it, or says in one line why it cannot start and exits with 1. */
export function main(module: Type, definition: ServiceDefinition): void {
  runService(module, definition).catch((error: Error) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', service: definition.service, msg: `cannot start: ${error.message}` })}\n`);
    process.exit(1);
  });
}
