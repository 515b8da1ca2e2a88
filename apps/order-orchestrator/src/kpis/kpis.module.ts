import { Module } from '@nestjs/common';
import { KpiMetrics } from './kpi-metrics';
import { KpisController } from './kpis.controller';
import { KpisService } from './kpis.service';

@Module({
  controllers: [KpisController],
  providers: [KpisService, KpiMetrics],
})
export class KpisModule {}
