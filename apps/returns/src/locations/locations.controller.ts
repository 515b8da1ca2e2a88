import { Controller, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ID_PATTERN, Topics, unsafeInput, type LocationRecord } from '@fil/contracts';
import { InvalidMessage, MessageConsumer, type IncomingMessage } from '@fil/messaging';

/** Kafka entry point only: keeps `location_view` at inventory's latest profiles (compacted topic, upserts). */
@Controller()
export class LocationsController implements OnModuleInit {
  constructor(private readonly consumer: MessageConsumer) {}

  onModuleInit() {
    this.consumer.on(Topics.locations, (message, em) => upsertLocation(message, em));
  }
}

async function upsertLocation(message: IncomingMessage, em: EntityManager): Promise<void> {
  const location = message.value as Partial<LocationRecord> | null;
  const unsafe = unsafeInput(location);
  if (unsafe.length) throw new InvalidMessage(`location: ${unsafe.join('; ')}`);
  if (!location || !ID_PATTERN.test(location.id ?? '') || !['WAREHOUSE', 'STORE'].includes(location.type as string) || typeof location.pickup !== 'boolean') {
    throw new InvalidMessage('location: id (a location id), type (WAREHOUSE or STORE) and pickup are required');
  }
  await em.execute(
    `insert into location_view (id, type, pickup, updated_at) values (?, ?, ?, now())
     on conflict (id) do update set type = excluded.type, pickup = excluded.pickup, updated_at = excluded.updated_at`,
    [location.id, location.type, location.pickup],
    'run',
  );
}
