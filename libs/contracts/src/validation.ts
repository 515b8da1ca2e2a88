import { isISO8601, Matches, ValidateBy, validateSync, type ValidationError, type ValidationOptions } from 'class-validator';
import { passesValidation } from './fast-validation';
import { toInstance } from './instances';

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Location ids and SKUs are plain tokens: they travel in Kafka keys as `locationId:sku`. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const ID_MESSAGE = 'must be 1-64 letters, digits, dots, dashes or underscores, the first a letter or digit';

/** A location id or SKU (ID_PATTERN), refused with the field's name. */
export const IsId = (options?: ValidationOptions) => Matches(ID_PATTERN, { message: ({ property }) => `${property} ${ID_MESSAGE}`, ...options });

/** Not `.` nor `..`: a URL path resolves them away, so no client could look up what they identify. */
export const DOT_SEGMENT = /^\.\.?$/;
export const IsNameableInPath = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isNameableInPath',
      validator: {
        validate: (value) => typeof value !== 'string' || !DOT_SEGMENT.test(value),
        defaultMessage: (args) => `${args?.property} must not be . or .., which no URL path can name`,
      },
    },
    options,
  );

/** Deepest nesting of arrays and objects accepted in any input; Fil's own messages need 4. Deeper would exhaust the stack of recursive code. */
export const MAX_NESTING = 32;
/** C0 control characters but tab, line feed and carriage return, and DEL: PostgreSQL cannot store U+0000, and none belongs in an id or a name. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** Half of a surrogate pair without its other half: valid JSON text, not Unicode; PostgreSQL refuses it in jsonb and mangles it in text. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Keys that reach an object's prototype when a value is copied or merged. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

export function nestedTooDeep(value: unknown, levels = MAX_NESTING): boolean {
  if (value === null || typeof value !== 'object') return false;
  return levels === 0 || Object.values(value).some((item) => nestedTooDeep(item, levels - 1));
}

/**
 * What no input may hold, whatever its contract: nesting deeper than MAX_NESTING, control
 * characters in a string or a key, prototype keys. Each as `path: message`; `name` is the
 * value's own name (`value`, `body`, a path parameter's).
 */
export function unsafeInput(value: unknown, name = 'value'): string[] {
  if (isSafe(value, MAX_NESTING)) return [];
  if (nestedTooDeep(value)) return [`${name}: must not be nested deeper than ${MAX_NESTING} levels`];
  return unsafeParts(value, name, '');
}

/** unsafeInput's verdict in one walk that builds nothing, for the input that passes (nearly all): the reasons are found only for the rest. */
function isSafe(value: unknown, levels: number): boolean {
  if (typeof value === 'string') return !CONTROL_CHARACTER.test(value) && !LONE_SURROGATE.test(value);
  if (value === null || typeof value !== 'object') return true;
  if (levels === 0) return false;
  for (const key of Object.keys(value)) {
    if (PROTOTYPE_KEYS.includes(key) || CONTROL_CHARACTER.test(key) || LONE_SURROGATE.test(key) || !isSafe((value as Record<string, unknown>)[key], levels - 1)) return false;
  }
  return true;
}

function unsafeParts(value: unknown, name: string, path: string): string[] {
  if (typeof value === 'string') {
    const control = CONTROL_CHARACTER.exec(value)?.[0];
    if (control) return [`${path || name}: must not contain control characters (${codePoint(control)})`];
    const surrogate = LONE_SURROGATE.exec(value)?.[0];
    return surrogate ? [`${path || name}: must not contain a lone surrogate (${codePoint(surrogate)}), it is not Unicode text`] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const at = path ? `${path}.${key}` : key;
    if (PROTOTYPE_KEYS.includes(key)) return [`${at}: is not an allowed key`];
    if (CONTROL_CHARACTER.test(key)) return [`${path || name}: keys must not contain control characters`];
    if (LONE_SURROGATE.test(key)) return [`${path || name}: keys must not contain a lone surrogate`];
    return unsafeParts(item, name, at);
  });
}

const codePoint = (character: string) => `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** A date, a time and an offset: without the offset the instant would depend on the reader's zone. */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Whether `value` is an RFC 3339 date-time of a real calendar day (no 30 February) within [earliest, latest]. */
export function isTimeWithin(value: unknown, earliest: Date, latest: Date): boolean {
  if (typeof value !== 'string' || !RFC_3339.test(value) || !isISO8601(value, { strict: true })) return false;
  const time = Date.parse(value);
  return time >= earliest.getTime() && time <= latest.getTime();
}

/** The property is such a date-time; the bounds are read at each validation, so "from now" moves with the clock. */
export function IsTimeWithin(earliest: () => Date, latest: () => Date, rule: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimeWithin',
      validator: {
        validate: (value) => isTimeWithin(value, earliest(), latest()),
        defaultMessage: (args) => `${args?.property} must be an ISO 8601 date-time with a time and an offset (RFC 3339, e.g. 2026-03-01T10:00:00Z) ${rule}`,
      },
    },
    options,
  );
}

/** Validates a plain value against a DTO class and lists every error as `path: message`. */
export function validateAs<T extends object>(dto: new () => T, plain: unknown): Validated<T> {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { ok: false, errors: ['value must be a JSON object'] };
  }
  const unsafe = unsafeInput(plain);
  // Too deep for class-transformer's recursion: nothing more can be said safely.
  if (unsafe.length && nestedTooDeep(plain)) return { ok: false, errors: unsafe };
  let value: T;
  try {
    value = toInstance(dto, plain);
  } catch (error) {
    // A value the conversion cannot take is refused with why, never left to fail again and again.
    return { ok: false, errors: [...unsafe, `value: cannot be read as ${dto.name} (${(error as Error).message})`] };
  }
  if (!unsafe.length && passesValidation(value)) return { ok: true, value };
  const errors = [...unsafe, ...flatten(validateSync(value, { forbidUnknownValues: true }))];
  return errors.length ? { ok: false, errors } : { ok: true, value };
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
