import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { setting } from '@fil/config';
import { ROUTING_POLICY_TTL_MS } from './routing-variables';
import { policyDocumentFromEnv } from './dto/routing-policy.document';
import type { PolicyDocument, PolicyVersion } from './routing-policy';
import { RoutingPolicyVersion } from './routing-policy-version.entity';

/**
 * The routing policy's versions, append-only. Routing reads the current one from memory;
 * a change written here is used at once, one written by another instance within the TTL.
 */
@Injectable()
export class RoutingPolicies implements OnModuleInit {
  // Read before anything starts: a malformed FIL_ROUTING_POLICIES stops the service.
  private readonly seed = policyDocumentFromEnv(process.env.FIL_ROUTING_POLICIES);
  private readonly ttlMs = setting(ROUTING_POLICY_TTL_MS);
  private cached?: { policy: PolicyVersion; readAt: number };
  private reading?: Promise<PolicyVersion>;

  constructor(private readonly orm: MikroORM) {}

  /** Version 1 when none is stored: FIL_ROUTING_POLICIES, else the defaults alone. Instances starting together write it once. */
  async onModuleInit() {
    await this.orm.em
      .fork()
      .execute('insert into routing_policy_version (version, document, created_by, created_at) values (1, ?, ?, now()) on conflict (version) do nothing', [
        JSON.stringify(this.seed ?? {}),
        this.seed ? 'FIL_ROUTING_POLICIES' : 'defaults',
      ], 'run');
  }

  /** The version routing uses now, read within the caller's transaction when the cached one is older than the TTL. */
  current(em: EntityManager): Promise<PolicyVersion> {
    if (this.cached && Date.now() - this.cached.readAt < this.ttlMs) return Promise.resolve(this.cached.policy);
    this.reading ??= this.latest(em).finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Stores `document` as the next version and routes on it from now on. */
  async publish(document: PolicyDocument, createdBy: string): Promise<RoutingPolicyVersion> {
    // Plain JSON: the validated body is a class instance with undefined fields.
    const plain = JSON.parse(JSON.stringify(document)) as PolicyDocument;
    const written = await this.orm.em.fork().transactional(async (em) => {
      // Writers queue here, so two changes at once become n+1 and n+2; readers are not blocked.
      await em.execute('lock table routing_policy_version in exclusive mode');
      const [{ latest }] = await em.execute<{ latest: number }[]>('select coalesce(max(version), 0) as latest from routing_policy_version');
      const version = new RoutingPolicyVersion(latest + 1, plain, createdBy);
      em.persist(version);
      return version;
    });
    this.remember({ version: written.version, document: written.document });
    return written;
  }

  /** The newest versions first, at most `limit`. */
  history(limit = 100): Promise<RoutingPolicyVersion[]> {
    return this.orm.em.fork().find(RoutingPolicyVersion, {}, { orderBy: { version: 'desc' }, limit });
  }

  private async latest(em: EntityManager): Promise<PolicyVersion> {
    const [row] = await em.execute<PolicyVersion[]>('select version, document from routing_policy_version order by version desc limit 1');
    if (!row) throw new Error('no routing policy version is stored (version 1 is written at start-up)');
    this.remember(row);
    return this.cached!.policy;
  }

  /** Never back: a read that started before a change was written must not hide it. */
  private remember(policy: PolicyVersion) {
    if (!this.cached || policy.version >= this.cached.policy.version) this.cached = { policy, readAt: Date.now() };
    else this.cached.readAt = Date.now();
  }
}
