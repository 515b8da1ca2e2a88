import { validateAs } from '@fil/contracts';
import { InvalidMessage } from './message';

/**
 * The one way a consumed value is read: validated against its DTO class, or sent to the
 * DLQ with every error (`path: message`), after `invalid <what>: ` when `what` is given.
 */
export function parseMessage<T extends object>(dto: new () => T, value: unknown, what?: string): T {
  const result = validateAs(dto, value);
  if (!result.ok) throw new InvalidMessage(`${what ? `invalid ${what}: ` : ''}${result.errors.join('; ')}`);
  return result.value;
}
