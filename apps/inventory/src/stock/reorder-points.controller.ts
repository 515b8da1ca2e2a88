import { BadRequestException, Body, Controller, ForbiddenException, Get, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, mayActAt, ROLES, type Principal } from '@fil/auth';
import { ID_MESSAGE, ID_PATTERN } from '@fil/contracts';
import { IdParam } from '@fil/platform';
import { SetReorderPointDto } from './dto/reorder-point.dto';
import { ReorderPointView } from './dto/reorder-point.view';
import { ReorderPoints } from './reorder-points';

@ApiTags('stock')
@Controller()
export class ReorderPointsController {
  constructor(private readonly reorderPoints: ReorderPoints) {}

  @Put('locations/:id/stock/:sku/reorder-point')
  @Access('admin', 'ops', 'staff')
  @ApiOperation({
    summary: 'Set the reorder point of a SKU at a location (null: the configured default)',
    description: 'StockLow is published on fil.inventory.stock-alerts.v1 when ATP falls to the reorder point or below, StockRecovered when it rises above, once per crossing.',
  })
  @ApiResponse({ status: 200, type: ReorderPointView })
  @ApiResponse({ status: 400, description: 'Not a non-negative integer or null, or a malformed SKU' })
  @ApiResponse({ status: 403, description: "A staff token for another location" })
  @ApiResponse({ status: 404, description: 'Unknown location' })
  set(@IdParam('id', 'locationId') locationId: string, @IdParam('sku') sku: string, @Body() body: SetReorderPointDto, @Caller() caller: Principal): Promise<ReorderPointView> {
    if (!mayActAt(caller, locationId)) throw new ForbiddenException('this token may not set reorder points at that location');
    return this.reorderPoints.set(locationId, sku, body.reorderPoint);
  }

  @Get('stock-alerts')
  @Access(...ROLES)
  @ApiOperation({ summary: 'The SKUs whose ATP is at or below their reorder point (last announced StockLow), by location' })
  @ApiQuery({ name: 'locationId', required: false })
  @ApiResponse({ status: 200, type: [ReorderPointView] })
  low(@Query('locationId') locationId?: string): Promise<ReorderPointView[]> {
    if (locationId !== undefined && !ID_PATTERN.test(locationId)) throw new BadRequestException(`locationId ${ID_MESSAGE}`);
    return this.reorderPoints.low(locationId);
  }
}
