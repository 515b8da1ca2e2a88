import type { Histogram } from '@opentelemetry/api';
import { filMeter } from '@fil/observability';
import type { RoutingDecision } from './route-order';

let instruments: { seconds: Histogram; shipments: Histogram } | undefined;

/** Records one routing decision: how long the engine took, and how many locations it chose. Instruments are made at first use, once the SDK has started. */
export function recordDecision(deliveryMode: string, decision: RoutingDecision, seconds: number): void {
  instruments ??= {
    seconds: filMeter().createHistogram('fil.routing.decision.seconds', { description: 'Time the routing engine took for one decision, by delivery mode and outcome' }),
    shipments: filMeter().createHistogram('fil.routing.shipments', {
      description: 'Locations one allocating decision chose, by delivery mode',
      advice: { explicitBucketBoundaries: [1, 2, 3, 4, 5, 8] },
    }),
  };
  instruments.seconds.record(seconds, { delivery_mode: deliveryMode, outcome: decision.outcome });
  if (decision.outcome === 'ALLOCATE') instruments.shipments.record(new Set(decision.allocations.map((a) => a.locationId)).size, { delivery_mode: deliveryMode });
}
