import { ApiBody } from '@nestjs/swagger';

/** A body whose every field may be left out: no body at all reads as `{}`. */
export abstract class OptionalBody {}

/**
 * The body of a step that takes none: nothing or `{}`. A field in it is refused (400 "property …
 * should not exist") rather than ignored, so a client that believes it sends something learns otherwise.
 */
export class EmptyBody extends OptionalBody {}

/** Its OpenAPI description: an optional empty object. */
export const ApiEmptyBody = () =>
  ApiBody({ required: false, description: 'None: no body, or `{}`', schema: { type: 'object', additionalProperties: false, maxProperties: 0 } });
