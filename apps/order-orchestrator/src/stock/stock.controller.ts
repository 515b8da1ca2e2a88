import { Controller, Get, Query, type OnModuleInit } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, ROLES } from '@fil/auth';
import { Topics } from '@fil/contracts';
import { MessageConsumer } from '@fil/messaging';
import { pointOf } from '@fil/platform';
import { AvailabilityQuery } from './dto/availability.query';
import { StockService } from './stock.service';

@ApiTags('availability')
@Controller('availability')
export class StockController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly stock: StockService,
  ) {}

  /** Stock levels are read by the saga's controller: a rise may serve backorders. */
  onModuleInit() {
    this.consumer.on(Topics.locations, (message, em) => this.stock.handleLocation(message, em));
  }

  @Get()
  @Access(...ROLES)
  @ApiOperation({
    summary: "The orchestrator's view of stock (what routing sees) for some SKUs, per location",
    description: 'By SKU then location; with `lat` and `lng`, nearest location first, each row with its `distanceKm`, within `radiusKm` if given.',
  })
  @ApiResponse({ status: 200, description: 'Rows of {locationId, sku, onHand, reserved, safetyStock, atp, updatedAt, distanceKm?}' })
  @ApiResponse({ status: 400, description: 'No skus or one outside the id pattern, half a point, a radius without a point, or numbers out of range' })
  availability(@Query() query: AvailabilityQuery) {
    return this.stock.availability(query.skus, { point: pointOf(query), radiusKm: query.radiusKm, limit: query.limit });
  }
}
