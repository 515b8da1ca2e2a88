import { Body, Controller, ForbiddenException, Get, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, mayActAt, ROLES, type Principal } from '@fil/auth';
import { type StockLevel } from '@fil/contracts';
import { IdParam, pointOf } from '@fil/platform';
import { AvailabilityQuery } from './dto/availability.query';
import { LocationAvailabilityView } from './dto/location-availability.view';
import { SetStockDto } from './dto/set-stock.dto';
import { StockLevelView } from './dto/stock-level.view';
import { StockService } from './stock.service';

@ApiTags('stock')
@Controller()
export class StockController {
  constructor(private readonly stock: StockService) {}

  @Put('locations/:id/stock/:sku')
  @Access('admin', 'ops', 'staff')
  @ApiOperation({ summary: 'Set the on-hand count (and optionally the safety stock) of a SKU at a location' })
  @ApiResponse({ status: 200, type: StockLevelView })
  @ApiResponse({ status: 400, description: 'Not non-negative integers, or a malformed SKU' })
  @ApiResponse({ status: 404, description: 'Unknown location' })
  @ApiResponse({ status: 409, description: 'onHand lowered below the units already reserved' })
  setCount(@IdParam('id', 'locationId') locationId: string, @IdParam('sku') sku: string, @Body() body: SetStockDto, @Caller() caller: Principal): Promise<StockLevel> {
    // Before the location is looked up, so that staff learn nothing of other locations.
    if (!mayActAt(caller, locationId)) throw new ForbiddenException('this token may not set stock at that location');
    return this.stock.setCount(locationId, sku, body);
  }

  @Get('availability')
  @Access(...ROLES)
  @ApiOperation({
    summary: 'ATP of several SKUs per location, nearest first when a point is given',
    description: '`coversAll` says whether the location alone can serve every SKU in the wanted quantity.',
  })
  @ApiResponse({ status: 200, type: [LocationAvailabilityView], description: 'Every location with some ATP of the SKUs, within the radius; the nearest `limit` when given' })
  @ApiResponse({ status: 400, description: 'Malformed SKUs, quantities not aligned with SKUs, or coordinates out of range' })
  availability(@Query() query: AvailabilityQuery): Promise<LocationAvailabilityView[]> {
    return this.stock.availability(query, pointOf(query));
  }

  @Get('stock/:sku')
  @Access(...ROLES)
  @ApiOperation({ summary: 'Stock of a SKU at every location that has a row for it, with ATP' })
  @ApiResponse({ status: 200, type: [StockLevelView] })
  levels(@IdParam('sku') sku: string): Promise<StockLevel[]> {
    return this.stock.levelsOf(sku);
  }
}
