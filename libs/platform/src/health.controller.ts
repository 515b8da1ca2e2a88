import { Controller, Get, HttpException, HttpStatus, Inject, type OnModuleDestroy } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Admin, Kafka } from 'kafkajs';
import { Public } from '@fil/auth';
import { KAFKA } from '@fil/messaging';
import { Sweepers } from './sweeper';

/**
 * Liveness and readiness in one: the process answers, and its database and Kafka do too.
 * The deadline sweeps' failing items are shown for ops, without making the service unready.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private admin?: Admin;

  constructor(
    private readonly orm: MikroORM,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly sweepers: Sweepers,
  ) {}

  @Get()
  @ApiOperation({ summary: "Database and Kafka reachability, 503 when either is down; the deadline sweeps' failing items" })
  async health() {
    const [database, kafka] = await Promise.all([
      check(() => this.orm.em.fork().execute('select 1')),
      check(async () => {
        this.admin ??= this.kafka.admin();
        await this.admin.connect();
        await this.admin.describeCluster();
      }),
    ]);
    const body = { status: database === 'up' && kafka === 'up' ? 'ok' : 'degraded', checks: { database, kafka }, sweeps: this.sweepers.report() };
    if (body.status !== 'ok') throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }

  async onModuleDestroy() {
    await this.admin?.disconnect();
  }
}

async function check(probe: () => Promise<unknown>): Promise<string> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000))]);
    return 'up';
  } catch (error) {
    return `down: ${(error as Error).message}`;
  }
}
