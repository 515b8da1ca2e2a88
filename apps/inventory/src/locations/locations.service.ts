import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { LOCATION_CHANGED, Topics, type LocationRecord } from '@fil/contracts';
import { Outbox } from '@fil/messaging';
import { Location, type LocationProfile } from './location.entity';

@Injectable()
export class LocationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Creates or replaces the location in one statement, so concurrent PUTs of a new id both
   * succeed, and announces the profile routing needs on the compacted locations topic in
   * the same transaction.
   */
  upsert(id: string, profile: LocationProfile): Promise<Location> {
    return this.em.fork().transactional(async (em) => {
      const location = await em.upsert(Location, new Location(id, profile), { onConflictExcludeFields: ['createdAt'] });
      await this.outbox.add(em, { topic: Topics.locations, key: id, type: LOCATION_CHANGED, data: toRecord(location) });
      return location;
    });
  }

  list(): Promise<Location[]> {
    return this.em.fork().find(Location, {}, { orderBy: { id: 'asc' } });
  }

  async get(id: string): Promise<Location> {
    const location = await this.em.fork().findOne(Location, id);
    if (!location) throw new NotFoundException(`location ${id} not found`);
    return location;
  }
}

function toRecord(location: Location): LocationRecord {
  const { id, name, type, lat, lng, ship, pickup, reserve, dailyCapacity, priority, processingHours, cutOffHour, opensAt, closesAt } = location;
  return { id, name, type, lat, lng, ship, pickup, reserve, dailyCapacity: dailyCapacity ?? null, priority: priority ?? null, processingHours, cutOffHour, opensAt, closesAt };
}
