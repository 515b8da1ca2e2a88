import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Location, type LocationProfile } from './location.entity';

@Injectable()
export class LocationsService {
  constructor(private readonly em: EntityManager) {}

  /** Creates or replaces the location in one statement, so concurrent PUTs of a new id both succeed. */
  upsert(id: string, profile: LocationProfile): Promise<Location> {
    return this.em.fork().upsert(Location, new Location(id, profile), { onConflictExcludeFields: ['createdAt'] });
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
