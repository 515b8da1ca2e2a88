import { Body, Controller, Get, HttpCode, Param, Post, Query, UseFilters, type OnModuleInit } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, type Principal } from '@fil/auth';
import { Topics } from '@fil/contracts';
import { MessageConsumer } from '@fil/messaging';
import { ApiEmptyBody, EmptyBody } from '@fil/platform';
import { FULFILLMENT_EXAMPLES as EXAMPLES } from './dto/fulfillment.examples';
import { ListFulfillmentsQuery } from './dto/list-fulfillments.query';
import { PackFulfillmentDto } from './dto/pack-fulfillment.dto';
import { PickFulfillmentDto } from './dto/pick-fulfillment.dto';
import { ShipFulfillmentDto } from './dto/ship-fulfillment.dto';
import { FulfillmentErrorsFilter } from './fulfillment-errors.filter';
import { FulfillmentsService } from './fulfillments.service';

@ApiTags('fulfillments')
@Controller('fulfillments')
@UseFilters(FulfillmentErrorsFilter)
export class FulfillmentsController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly fulfillments: FulfillmentsService,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.fulfillmentCommands, (message, em) => this.fulfillments.handleCommand(message, em), this.fulfillments.commandBatch);
  }

  @Get()
  @Access('admin', 'ops', 'staff')
  @ApiOperation({ summary: 'Fulfillments of a location, status or order, oldest first', description: "A location's list holds its own work and the transfers on their way to it or received there (IN_TRANSIT, RECEIVED)." })
  @ApiResponse({ status: 200, description: 'The matching fulfillments', schema: { example: EXAMPLES.list } })
  list(@Query() query: ListFulfillmentsQuery, @Caller() staff: Principal) {
    return this.fulfillments.list(query, staff);
  }

  @Get(':id')
  @Access('admin', 'ops', 'staff')
  @ApiOperation({ summary: 'One fulfillment with its lines and history' })
  @ApiResponse({ status: 200, description: 'The fulfillment', schema: { example: EXAMPLES.created } })
  @ApiResponse({ status: 404, description: "Unknown fulfillment, or another location's" })
  get(@Param('id') id: string, @Caller() staff: Principal) {
    return this.fulfillments.get(id, staff);
  }

  @Post(':id/pick')
  @HttpCode(200)
  @Access('admin', 'staff')
  @ApiOperation({
    summary: 'Report what was found, one line per SKU',
    description: 'A line found short needs a reason (any short text, such as NOT_FOUND or DAMAGED): the missing units leave the reservation and the on-hand in inventory, and the order re-routes them to another location.',
  })
  @ApiResponse({ status: 200, description: 'Picked (or already picked with the same quantities)', schema: { example: EXAMPLES.picked } })
  @ApiResponse({ status: 400, description: 'Lines that do not match the fulfillment, or a short line without a reason' })
  @ApiResponse({ status: 404, description: "Unknown fulfillment, or another location's" })
  @ApiResponse({ status: 409, description: 'Not CREATED', schema: { example: EXAMPLES.conflict } })
  pick(@Param('id') id: string, @Body() body: PickFulfillmentDto, @Caller() staff: Principal) {
    return this.fulfillments.pick(id, staff, body.lines);
  }

  @Post(':id/pack')
  @HttpCode(200)
  @Access('admin', 'staff')
  @ApiOperation({ summary: 'Pack the picked goods into parcels' })
  @ApiResponse({ status: 200, description: 'Packed (or already packed into the same parcels)', schema: { example: { ...EXAMPLES.picked, status: 'PACKED', parcels: [{ weightKg: 1.2 }] } } })
  @ApiResponse({ status: 404, description: "Unknown fulfillment, or another location's" })
  @ApiResponse({ status: 409, description: 'Not PICKED', schema: { example: EXAMPLES.conflict } })
  pack(@Param('id') id: string, @Body() body: PackFulfillmentDto, @Caller() staff: Principal) {
    return this.fulfillments.step(id, 'pack', staff, (fulfillment) => fulfillment.pack(body.parcels));
  }

  @Post(':id/ship')
  @HttpCode(200)
  @Access('admin', 'staff')
  @ApiOperation({ summary: 'Hand the parcels to a carrier' })
  @ApiResponse({ status: 200, description: 'Shipped (or already shipped with the same carrier and tracking number)', schema: { example: EXAMPLES.shipped } })
  @ApiResponse({ status: 404, description: "Unknown fulfillment, or another location's" })
  @ApiResponse({ status: 409, description: 'Not PACKED', schema: { example: EXAMPLES.conflict } })
  ship(@Param('id') id: string, @Body() body: ShipFulfillmentDto, @Caller() staff: Principal) {
    return this.fulfillments.step(id, 'ship', staff, (fulfillment) => fulfillment.ship(body.carrier, body.trackingNumber));
  }

  @Post(':id/deliver')
  @HttpCode(200)
  @Access('admin', 'staff')
  @ApiOperation({ summary: 'The carrier delivered the parcels to the customer' })
  @ApiResponse({ status: 200, description: 'Delivered (or already delivered)', schema: { example: { ...EXAMPLES.shipped, status: 'DELIVERED' } } })
  @ApiResponse({ status: 404, description: "Unknown fulfillment, or another location's" })
  @ApiResponse({ status: 409, description: 'Not SHIPPED, or not a SHIP fulfillment', schema: { example: EXAMPLES.conflict } })
  @ApiEmptyBody()
  deliver(@Param('id') id: string, @Body() _body: EmptyBody, @Caller() staff: Principal) {
    return this.fulfillments.step(id, 'deliver', staff, (fulfillment) => fulfillment.deliver());
  }

  @Post(':id/receive')
  @HttpCode(200)
  @Access('admin', 'staff')
  @ApiOperation({
    summary: 'A transfer arrived at the pickup store',
    description: "The last transfer to a counter with no part of the store's own to pick makes that counter READY_FOR_PICKUP: every part has arrived.",
  })
  @ApiResponse({ status: 200, description: 'Received (or already received)', schema: { example: { ...EXAMPLES.shipped, kind: 'TRANSFER', destinationLocationId: 'store-lyon-part-dieu', status: 'RECEIVED' } } })
  @ApiResponse({ status: 404, description: "Unknown fulfillment, or another location's" })
  @ApiResponse({ status: 409, description: 'Not IN_TRANSIT, or not a TRANSFER', schema: { example: EXAMPLES.conflict } })
  @ApiEmptyBody()
  receive(@Param('id') id: string, @Body() _body: EmptyBody, @Caller() staff: Principal) {
    return this.fulfillments.receive(id, staff);
  }

  @Post(':id/ready')
  @HttpCode(200)
  @Access('admin', 'staff')
  @ApiOperation({ summary: "Everything is at the counter: the customer may come (refused while a transfer to this store hasn't arrived)" })
  @ApiResponse({ status: 200, description: 'Ready for pickup (or already ready)', schema: { example: EXAMPLES.counter } })
  @ApiResponse({ status: 404, description: "Unknown fulfillment, or another location's" })
  @ApiResponse({ status: 409, description: 'Not a PICKUP, not CREATED or PICKED, or transfers still missing (named)', schema: { example: EXAMPLES.conflict } })
  @ApiEmptyBody()
  ready(@Param('id') id: string, @Body() _body: EmptyBody, @Caller() staff: Principal) {
    return this.fulfillments.ready(id, staff);
  }

  @Post(':id/collect')
  @HttpCode(200)
  @Access('admin', 'staff')
  @ApiOperation({ summary: 'The customer took the goods at the counter' })
  @ApiResponse({ status: 200, description: 'Collected (or already collected)', schema: { example: { ...EXAMPLES.counter, status: 'COLLECTED' } } })
  @ApiResponse({ status: 404, description: "Unknown fulfillment, or another location's" })
  @ApiResponse({ status: 409, description: 'Not READY_FOR_PICKUP, not a PICKUP, or an e-reservation past its deadline', schema: { example: EXAMPLES.conflict } })
  @ApiEmptyBody()
  collect(@Param('id') id: string, @Body() _body: EmptyBody, @Caller() staff: Principal) {
    return this.fulfillments.collect(id, staff);
  }
}
