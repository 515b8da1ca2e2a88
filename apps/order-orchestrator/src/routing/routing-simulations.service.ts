import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadRecordedDecisions, type SimulationWindow } from './recorded-decisions';
import type { PolicyDocument } from './routing-policy';
import { simulate, type Simulation } from './simulation';

/** Replays recorded orders under a proposed policy beside the one they used; reads only, changes nothing. */
@Injectable()
export class RoutingSimulations {
  constructor(private readonly orm: MikroORM) {}

  async simulate(proposed: PolicyDocument, window: SimulationWindow): Promise<Simulation> {
    const em = this.orm.em.fork();
    const { decisions, versions } = await loadRecordedDecisions((sql, params) => em.execute(sql, params), window);
    // Plain JSON: the validated body is a class instance with undefined fields.
    return simulate(decisions, versions, JSON.parse(JSON.stringify(proposed)) as PolicyDocument);
  }
}
