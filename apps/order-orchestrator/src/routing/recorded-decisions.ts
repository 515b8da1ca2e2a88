import type { PolicyDocument } from './routing-policy';
import type { RecordedDecision } from './simulation';

/** Which orders to replay: the newest `orders` created in [from, to). */
export interface SimulationWindow {
  from?: Date;
  to?: Date;
  orders?: number;
}

/** The newest orders replayed when no count is given: the last 1000, or up to 10 000 within a date window. */
export const DEFAULT_ORDERS = 1000;
export const MAX_ORDERS = 10_000;

/** Runs SQL with `?` placeholders: MikroORM's `execute`, or a pg client through `withNumberedPlaceholders`. */
export type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/**
 * The first routing decision of the orders in `window`, with the documents of the policy
 * versions they name: what `simulate` replays. Shared by POST /routing/simulations and
 * `npm run simulate`, so both read the same orders.
 */
export async function loadRecordedDecisions(query: Query, window: SimulationWindow): Promise<{ decisions: RecordedDecision[]; versions: Map<number, PolicyDocument> }> {
  const dated = window.from || window.to;
  const limit = window.orders ?? (dated ? MAX_ORDERS : DEFAULT_ORDERS);
  const rows = await query<{ orderId: string; channel: string | null; deliveryMode: RecordedDecision['deliveryMode']; first: Record<string, any> }>(
    `select o.order_id as "orderId", o.channel, o.delivery_mode as "deliveryMode", d.record as first
       from customer_order o join routing_decision d on d.order_id = o.order_id and d.seq = 0
      where o.created_at >= ? and o.created_at < ?
      order by o.created_at desc, o.order_id
      limit ?`,
    [(window.from ?? new Date(0)).toISOString(), (window.to ?? new Date('9999-12-31T00:00:00Z')).toISOString(), limit],
  );
  const decisions: RecordedDecision[] = rows.map(({ orderId, channel, deliveryMode, first }) => ({
    orderId,
    ...(channel === null ? {} : { channel }),
    deliveryMode,
    outcome: first.outcome,
    allocations: first.allocations ?? [],
    backordered: first.backordered ?? [],
    policyVersion: first.explanation?.policyVersion ?? '',
    ...(first.inputs ? { inputs: first.inputs } : {}),
  }));
  const named = [...new Set(decisions.map((decision) => Number(/^policy-v(\d+)$/.exec(decision.policyVersion)?.[1])).filter(Number.isInteger))];
  const stored = named.length ? await query<{ version: number; document: PolicyDocument }>('select version, document from routing_policy_version where version in (select value::int from jsonb_array_elements_text(?::jsonb))', [JSON.stringify(named)]) : [];
  // Oldest first, as the orders were taken.
  return { decisions: decisions.reverse(), versions: new Map(stored.map(({ version, document }) => [version, document])) };
}

/** `?` placeholders as pg's `$1, $2...` (the SQL above holds no `?` of its own). */
export const withNumberedPlaceholders = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${(n += 1)}`);
};
