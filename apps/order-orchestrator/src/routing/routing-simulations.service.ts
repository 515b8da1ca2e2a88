import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadRecordedDecisions, type SimulationWindow } from './recorded-decisions';
import type { PolicyDocument } from './routing-policy';
import { simulation, type Simulation } from './simulation';

/** Replays between two turns of the event loop: the service keeps taking messages during a long simulation. */
const REPLAYS_PER_TURN = 100;

/** Replays recorded orders under a proposed policy beside the one they used; reads only, changes nothing. */
@Injectable()
export class RoutingSimulations {
  constructor(private readonly orm: MikroORM) {}

  async simulate(proposed: PolicyDocument, window: SimulationWindow): Promise<Simulation> {
    const em = this.orm.em.fork();
    const { decisions, versions } = await loadRecordedDecisions((sql, params) => em.execute(sql, params), window);
    // Plain JSON: the validated body is a class instance with undefined fields.
    const run = simulation(decisions, versions, JSON.parse(JSON.stringify(proposed)) as PolicyDocument);
    let step = run.next();
    for (let replays = 1; !step.done; replays += 1) {
      if (replays % REPLAYS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      step = run.next();
    }
    return step.value;
  }
}
