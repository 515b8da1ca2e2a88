/** The environment a service starts with (process.env, or a test's own). */
export type Env = Partial<Record<string, string>>;

/** One environment variable, declared once: what it accepts, its default and what it is for (docs/configuration.md). */
export interface Variable<T> {
  name: string;
  /** What a valid value is, as errors and the doc say it: "an integer from 1 to 1000 (milliseconds)". */
  accepts: string;
  /** The default as it would be written in the environment; undefined when there is none. */
  fallback?: string;
  description: string;
  /** Its value is never repeated in an error. */
  secret: boolean;
  /** The typed value; unset or empty means the default. Throws `NAME: 'value' is not <accepts>`. */
  read(env: Env): T;
}

interface Declaration<T> {
  name: string;
  accepts: string;
  description: string;
  secret?: boolean;
  /** The typed value of a non-empty string, or undefined when it is not one. */
  parse(raw: string): T | undefined;
}

function declare<T>(declaration: Declaration<T>, fallback: T, fallbackText = fallback === undefined ? undefined : String(fallback)): Variable<T> {
  const { name, accepts, description, secret = false, parse } = declaration;
  return {
    name,
    accepts,
    description,
    secret,
    fallback: fallbackText,
    read(env) {
      const raw = env[name];
      if (raw === undefined || raw === '') return fallback;
      let value: T | undefined;
      let reason = '';
      try {
        value = parse(raw);
      } catch (error) {
        reason = ` (${(error as Error).message})`;
      }
      if (value === undefined) throw new Error(`${name}: ${secret ? 'the value' : `'${raw}'`} is not ${accepts}${reason}`);
      return value;
    },
  };
}

export function integer(name: string, spec: { min: number; max: number; unit?: string; fallback: number }, description: string): Variable<number> {
  const accepts = `an integer from ${spec.min} to ${spec.max}${spec.unit ? ` (${spec.unit})` : ''}`;
  const parse = (raw: string) => (/^\d{1,15}$/.test(raw) && Number(raw) >= spec.min && Number(raw) <= spec.max ? Number(raw) : undefined);
  return declare({ name, accepts, description, parse }, spec.fallback);
}

export function flag(name: string, fallback: boolean, description: string): Variable<boolean> {
  const parse = (raw: string) => (raw === 'true' || raw === 'false' ? raw === 'true' : undefined);
  return declare({ name, accepts: 'true or false', description, parse }, fallback);
}

/** One of `values`; `ignoreCase` reads `SCRAM-SHA-256` as `scram-sha-256`. */
export function oneOf<const V extends string, F extends V | undefined>(
  name: string,
  values: readonly V[],
  fallback: F,
  description: string,
  { ignoreCase = false } = {},
): Variable<V | F> {
  const parse = (raw: string) => values.find((value) => (ignoreCase ? value.toLowerCase() === raw.toLowerCase() : value === raw));
  return declare<V | F>({ name, accepts: `one of ${values.join(', ')}`, description, parse }, fallback);
}

/** Free text, or text that must match `pattern` (then `accepts` says what it matches). */
export function text<F extends string | undefined>(
  name: string,
  fallback: F,
  description: string,
  { pattern, accepts = 'any text', secret = false }: { pattern?: RegExp; accepts?: string; secret?: boolean } = {},
): Variable<string | F> {
  const parse = (raw: string) => (!pattern || pattern.test(raw) ? raw : undefined);
  return declare<string | F>({ name, accepts, description, secret, parse }, fallback);
}

/** A path; the code that needs the file reads it at start and names the variable when it cannot. */
export function filePath(name: string, description: string): Variable<string | undefined> {
  return text(name, undefined, description, { accepts: 'a path to a readable file' });
}

export function url<F extends string | undefined>(name: string, protocols: string[], fallback: F, description: string): Variable<string | F> {
  const parse = (raw: string) => (URL.canParse(raw) && protocols.includes(new URL(raw).protocol) ? raw : undefined);
  return declare<string | F>({ name, accepts: `a URL (${protocols.join(' or ')})`, description, parse }, fallback);
}

/** A value `parse` reads or refuses by throwing, its message added to the error; `fallback` is read by `parse` too. */
export function parsed<T>(name: string, accepts: string, fallback: string, description: string, parse: (raw: string) => T): Variable<T> {
  return declare({ name, accepts, description, parse }, parse(fallback), fallback);
}
