import { integer, text, type Variable } from '@fil/config';
import { authVariables } from '@fil/auth';
import { messagingVariables } from '@fil/messaging';
import { observabilityVariables } from '@fil/observability';
import { persistenceVariables } from '@fil/persistence';

export const HTTP_HOST = text('FIL_HTTP_HOST', '127.0.0.1', 'The address the HTTP API listens on (0.0.0.0 for every interface).', {
  accepts: 'a host name or IP address',
});
export const HTTP_BODY_LIMIT = integer('FIL_HTTP_BODY_LIMIT', { min: 100, max: 999_999_999, unit: 'bytes', fallback: 64 * 1024 }, 'Largest request body; a bigger one gets 413 before it is read.');

/** `ORDERS_PORT`, `INVENTORY_PORT`...: named after the service, 0 for any free port. */
export function portVariable(service: string, defaultPort: number): Variable<number> {
  const name = `${service.toUpperCase().replace(/-/g, '_')}_PORT`;
  return integer(name, { min: 0, max: 65_535, fallback: defaultPort }, 'The port of this service\'s HTTP API (0: any free port).');
}

/** Every variable a service reads: those of the libraries all services share, then its own. */
export function serviceVariables({ service, defaultPort, variables = [] }: { service: string; defaultPort: number; variables?: Variable<unknown>[] }): Variable<unknown>[] {
  return [...observabilityVariables, ...persistenceVariables, ...messagingVariables, ...authVariables, HTTP_HOST, HTTP_BODY_LIMIT, portVariable(service, defaultPort), ...variables];
}
