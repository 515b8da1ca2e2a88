import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '@fil/auth';
import { KpisQuery } from './dto/kpis.query';
import { DAY_MS } from './kpi-snapshot';
import { BUCKETS, KpisService } from './kpis.service';

/** A window longer than this reads too many orders at once for an ops screen. */
const LONGEST_WINDOW_DAYS = 92;
/** More points than a chart of a phone's width can show apart. */
const MOST_BUCKETS = 200;

@ApiTags('kpis')
@Controller('kpis')
export class KpisController {
  constructor(private readonly kpis: KpisService) {}

  @Get()
  @Access('admin', 'ops')
  @ApiOperation({ summary: 'Order KPIs for orders created in [from, to), per channel and delivery mode and in total' })
  @ApiResponse({ status: 200, description: '{from, to, total, groups: [{channel, deliveryMode, ...figures}], buckets?: [{from, to, ...figures}]}; each figure defined in apps/order-orchestrator/README.md, "KPIs"' })
  @ApiResponse({ status: 400, description: 'A bad date-time, from not before to, a window over 92 days, an unknown bucket or more than 200 buckets' })
  get(@Query() query: KpisQuery) {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
    if (from >= to) throw new BadRequestException('from must be before to');
    if (to.getTime() - from.getTime() > LONGEST_WINDOW_DAYS * DAY_MS) throw new BadRequestException(`the window must not be longer than ${LONGEST_WINDOW_DAYS} days`);
    if (query.bucket && (to.getTime() - from.getTime()) / BUCKETS[query.bucket] > MOST_BUCKETS) {
      throw new BadRequestException(`at most ${MOST_BUCKETS} buckets: a longer window needs a longer bucket`);
    }
    return this.kpis.compute(from, to, query.bucket);
  }
}
