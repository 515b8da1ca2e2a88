import { Controller, ForbiddenException, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, mayActAt, type Principal } from '@fil/auth';
import { ReplenishmentQuery } from './dto/replenishment.query';
import { ReplenishmentView } from './dto/replenishment.view';
import { ReplenishmentService } from './replenishment.service';

@ApiTags('replenishment')
@Controller('replenishment')
export class ReplenishmentController {
  constructor(private readonly replenishment: ReplenishmentService) {}

  @Get()
  @Access('admin', 'ops', 'staff')
  @ApiOperation({
    summary: "A location's replenishment: per SKU, sales velocity, days of cover, suggested transfers from locations with spare cover, and the quantity to order",
  })
  @ApiResponse({ status: 200, type: ReplenishmentView })
  @ApiResponse({ status: 400, description: 'A malformed locationId, or a window, lead time or cover out of range' })
  @ApiResponse({ status: 403, description: 'A staff token for another location' })
  @ApiResponse({ status: 404, description: 'Unknown location' })
  plan(@Query() query: ReplenishmentQuery, @Caller() caller: Principal): Promise<ReplenishmentView> {
    if (!mayActAt(caller, query.locationId)) throw new ForbiddenException("this token may not see that location's replenishment");
    return this.replenishment.plan(query);
  }
}
