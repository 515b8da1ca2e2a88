import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { openApiDocument, type ServiceDefinition } from '@fil/platform';

/**
 * The document a service serves at /docs/openapi.json, without starting it: in preview Nest
 * registers the controllers but instantiates nothing, so no database or Kafka is needed.
 */
export async function openApiDocumentWithoutStarting(module: Type, definition: ServiceDefinition): Promise<OpenAPIObject> {
  const app = await NestFactory.create(module, { preview: true, logger: false, abortOnError: false });
  try {
    return openApiDocument(app, definition);
  } finally {
    await app.close();
  }
}
