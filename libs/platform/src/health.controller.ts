import { Controller, Get, HttpException, HttpStatus, Inject, type OnModuleDestroy } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Admin, Kafka } from 'kafkajs';
import { Public } from '@fil/auth';
import { KAFKA, MessageConsumer, OutboxRelay } from '@fil/messaging';
import { Sweepers } from './sweeper';

/**
 * Readiness at `/health`, liveness at `/health/live`. Readiness is 503 when the database or
 * Kafka does not answer: take the instance out of rotation, but do not restart it, since an
 * outage of either is not cured by a restart. When they do
 * but messaging needs someone (a partition held at a message that keeps failing, outbox rows
 * the broker refused, or whose topic it refuses), 200 with `status: 'degraded'` and what to look at: restarting or
 * taking the instance out of rotation would not help, its HTTP API and other partitions work.
 * The deadline sweeps' failing items are shown for ops too, without making the service degraded.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private admin?: Admin;

  constructor(
    private readonly orm: MikroORM,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly consumer: MessageConsumer,
    private readonly relay: OutboxRelay,
    private readonly sweepers: Sweepers,
  ) {}

  @Get()
  @ApiOperation({ summary: "Database and Kafka reachability (503 when either is down), and messaging's held partitions and parked rows ('degraded'); the deadline sweeps' failing items" })
  @ApiOkResponse({ description: "Database and Kafka answer: status 'ok', or 'degraded' when messaging needs someone" })
  @ApiServiceUnavailableResponse({ description: 'The database or Kafka does not answer: the same body, saying which' })
  async health() {
    const [database, kafka] = await Promise.all([
      check(() => this.orm.em.fork().execute('select 1')),
      check(async () => {
        this.admin ??= this.kafka.admin();
        await this.admin.connect();
        await this.admin.describeCluster();
      }),
    ]);
    const up = database === 'up' && kafka === 'up';
    const messaging = {
      held: this.consumer.held(),
      parked: database === 'up' ? await this.relay.parked().catch(() => null) : null,
      topicsWaiting: this.relay.topicsWaiting(),
    };
    const needsSomeone = messaging.held.length || messaging.parked || messaging.topicsWaiting.length;
    // 'down' (503) apart from 'degraded' (200, running but someone should look), for tools that read the body only.
    const body = { status: !up ? 'down' : needsSomeone ? 'degraded' : 'ok', checks: { database, kafka }, messaging, sweeps: this.sweepers.report() };
    if (!up) throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process answers HTTP, whatever the database and Kafka do (readiness is /health)' })
  @ApiOkResponse({ description: "Always { status: 'alive' }" })
  live() {
    return { status: 'alive' };
  }

  async onModuleDestroy() {
    await this.admin?.disconnect();
  }
}

async function check(probe: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), 2_000)))]);
    return 'up';
  } catch (error) {
    return `down: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
