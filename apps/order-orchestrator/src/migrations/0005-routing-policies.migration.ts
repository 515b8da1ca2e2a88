import { Migration } from '@mikro-orm/migrations';

/** Routing policy versions, append-only: every decision names the version it used. */
export class RoutingPoliciesMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table routing_policy_version (
      version integer primary key check (version > 0),
      document jsonb not null,
      created_by text not null,
      created_at timestamptz not null
    )`);
  }
}

export const routingPoliciesMigration = { name: '0005-routing-policies', class: RoutingPoliciesMigration };
