import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Validates a plain value against a DTO class and lists every error as `path: message`. */
export function validateAs<T extends object>(dto: new () => T, plain: unknown): Validated<T> {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { ok: false, errors: ['value must be a JSON object'] };
  }
  const value = plainToInstance(dto, plain);
  const errors = validateSync(value, { forbidUnknownValues: true });
  return errors.length ? { ok: false, errors: flatten(errors) } : { ok: true, value };
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
