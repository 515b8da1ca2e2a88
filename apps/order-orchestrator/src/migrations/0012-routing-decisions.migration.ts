import { Migration } from '@mikro-orm/migrations';

/**
 * Routing decisions leave the order's row for a table of their own: every saga step loads the
 * order, and the history (kilobytes per decision on a large network) is only read by people and
 * reports. The order keeps how many there are: the first decision is the one that carries `inputs`.
 */
export class RoutingDecisionsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table routing_decision (
      order_id text not null,
      seq integer not null,
      record jsonb not null,
      primary key (order_id, seq)
    )`);
    // The column is nullable: only an array holds decisions (a case, as SQL promises no order of evaluation).
    this.addSql(`insert into routing_decision (order_id, seq, record)
      select o.order_id, d.seq - 1, d.record
        from customer_order o
        cross join lateral jsonb_array_elements(case when jsonb_typeof(o.routing) = 'array' then o.routing else '[]' end) with ordinality as d(record, seq)`);
    this.addSql('alter table customer_order add column routing_decisions integer not null default 0');
    this.addSql(`update customer_order o set routing_decisions = d.n
      from (select order_id, count(*)::int as n from routing_decision group by order_id) d
     where d.order_id = o.order_id`);
    this.addSql('alter table customer_order drop column routing');
  }
}

export const routingDecisionsMigration = { name: '0012-routing-decisions', class: RoutingDecisionsMigration };
