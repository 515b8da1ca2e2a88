import { randomUUID } from 'node:crypto';
import { serviceSource, type FilService } from '@fil/contracts';

/** CloudEvents headers as `service` stamps them on what it publishes, with a new ce_id; `extra` adds or overrides. */
export function ceHeaders(service: FilService, type: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ce_specversion: '1.0', ce_id: randomUUID(), ce_type: type, ce_source: serviceSource(service), ...extra };
}
