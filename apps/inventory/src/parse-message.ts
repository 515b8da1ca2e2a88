import { validateAs } from '@fil/contracts';
import { InvalidMessage } from '@fil/messaging';

/** A message whose value fails its DTO can never be accepted: it goes to the DLQ with every error. */
export function parseMessage<T extends object>(dto: new () => T, value: unknown): T {
  const result = validateAs(dto, value);
  if (!result.ok) throw new InvalidMessage(result.errors.join('; '));
  return result.value;
}
