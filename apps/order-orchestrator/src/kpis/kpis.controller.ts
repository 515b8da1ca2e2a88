import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '@fil/auth';
import { KpisQuery } from './dto/kpis.query';
import { DAY_MS } from './kpi-snapshot';
import { KpisService } from './kpis.service';

/** A window longer than this reads too many orders at once for an ops screen. */
const LONGEST_WINDOW_DAYS = 92;

@ApiTags('kpis')
@Controller('kpis')
export class KpisController {
  constructor(private readonly kpis: KpisService) {}

  @Get()
  @Access('admin', 'ops')
  @ApiOperation({ summary: 'Order KPIs for orders created in [from, to), per channel and delivery mode and in total' })
  @ApiResponse({ status: 200, description: '{from, to, total, groups: [{channel, deliveryMode, ...figures}]}; figures in docs/contract.md' })
  @ApiResponse({ status: 400, description: 'A bad date-time, from not before to, or a window over 92 days' })
  get(@Query() query: KpisQuery) {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
    if (from >= to) throw new BadRequestException('from must be before to');
    if (to.getTime() - from.getTime() > LONGEST_WINDOW_DAYS * DAY_MS) throw new BadRequestException(`the window must not be longer than ${LONGEST_WINDOW_DAYS} days`);
    return this.kpis.compute(from, to);
  }
}
