import { BadRequestException, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { unsafeInput } from '@fil/contracts';
import { OptionalBody } from './empty-body';

/**
 * Runs before validation on every body, query and path parameter, for what no DTO checks:
 * a body that is not an object, control characters (PostgreSQL cannot store U+0000),
 * prototype keys and nesting deep enough to exhaust the stack. Refused with 400, naming the field.
 */
export class SafeInputPipe implements PipeTransform {
  transform(value: unknown, { type, data, metatype }: ArgumentMetadata): unknown {
    if (type === 'custom') return value;
    if (type === 'body' && metatype?.prototype instanceof OptionalBody && value === undefined) return {};
    if (type === 'body' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new BadRequestException(['body: must be a JSON object']);
    }
    const unsafe = unsafeInput(value, data ?? type);
    if (unsafe.length) throw new BadRequestException(unsafe);
    return value;
  }
}
