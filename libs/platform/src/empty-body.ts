import { ApiBody } from '@nestjs/swagger';

/**
 * The body of a step that takes none: nothing or `{}`. A field in it is refused (400 "property …
 * should not exist") rather than ignored, so a client that believes it sends something learns otherwise.
 */
export class EmptyBody {}

/** Its OpenAPI description: an optional empty object. */
export const ApiEmptyBody = () =>
  ApiBody({ required: false, description: 'None: no body, or `{}`', schema: { type: 'object', additionalProperties: false, maxProperties: 0 } });
