import { Controller, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Topics } from '@fil/contracts';
import { MessageConsumer, parseMessage, type IncomingMessage } from '@fil/messaging';
import { LocationProfileDto } from './dto/location-profile.dto';

/** Kafka entry point only: keeps `location_view` at inventory's latest profiles (compacted topic, upserts). */
@Controller()
export class LocationsController implements OnModuleInit {
  constructor(private readonly consumer: MessageConsumer) {}

  onModuleInit() {
    this.consumer.on(Topics.locations, (message, em) => upsertLocation(message, em));
  }
}

async function upsertLocation(message: IncomingMessage, em: EntityManager): Promise<void> {
  const location = parseMessage(LocationProfileDto, message.value, 'location');
  await em.execute(
    `insert into location_view (id, type, pickup, updated_at) values (?, ?, ?, now())
     on conflict (id) do update set type = excluded.type, pickup = excluded.pickup, updated_at = excluded.updated_at`,
    [location.id, location.type, location.pickup],
    'run',
  );
}
