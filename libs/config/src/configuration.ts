import type { Env, Variable } from './variable';

/** What a service started with, once its configuration was read; empty before (tools, tests that start no service). */
const loaded = new Map<string, unknown>();

/**
 * Reads every variable of a service once, then runs `checks` (rules across variables, such as a
 * TLS certificate without its key); throws one error listing every bad value, or keeps the values
 * for `setting`.
 */
export function loadConfiguration(variables: Variable<unknown>[], env: Env, checks: ((env: Env) => unknown)[] = []): void {
  const values = new Map<string, unknown>();
  // A set: a check that reads a bad variable again throws the same message.
  const errors = new Set<string>();
  const attempt = (read: () => void) => {
    try {
      read();
    } catch (error) {
      errors.add((error as Error).message);
    }
  };
  for (const variable of variables) attempt(() => values.set(variable.name, variable.read(env)));
  for (const check of checks) attempt(() => check(env));
  if (errors.size) throw new Error(`bad configuration: ${[...errors].join('; ')}`);
  for (const [name, value] of values) loaded.set(name, value);
}

/** The value the service started with; outside a service (a tool, a test), read from process.env now. */
export function setting<T>(variable: Variable<T>): T {
  return loaded.has(variable.name) ? (loaded.get(variable.name) as T) : variable.read(process.env);
}
