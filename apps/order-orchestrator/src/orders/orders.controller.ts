import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, type Principal } from '@fil/auth';
import { DEFAULT_PAGE_SIZE, ListOrdersQuery, MAX_PAGE_SIZE } from './dto/list-orders.query';
import { OrderView } from './dto/order.view';
import { OrdersService } from './orders.service';
import { nextPageHeaders } from './next-page-headers';

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @Access('admin', 'ops', 'channel')
  @ApiOperation({
    summary: `Orders of a customer, a channel and/or in one status (any combination, at least one), newest first, ${DEFAULT_PAGE_SIZE} per page by default (limit up to ${MAX_PAGE_SIZE}); the next page is at the X-Next-Cursor header`,
  })
  @ApiResponse({
    status: 200,
    description: 'An array of order summaries: orderId, status, channel, deliveryMode, currency, placedAt, lines',
    headers: {
      'X-Next-Cursor': { description: 'Where the next page starts: pass it as cursor with the same filters; absent on the last page', schema: { type: 'string' } },
      Link: { description: 'The next page, `</orders?...&cursor=...>; rel="next"`; absent on the last page', schema: { type: 'string' } },
    },
  })
  @ApiResponse({ status: 400, description: 'No customerId, channel or status; an unknown status; a limit outside 1-500; a cursor this service did not give' })
  async list(@Query() query: ListOrdersQuery, @Caller() caller: Principal, @Res({ passthrough: true }) res: { setHeader(name: string, value: string): unknown }) {
    const page = await this.orders.list(query, caller);
    for (const [name, value] of Object.entries(nextPageHeaders(query, page.next))) res.setHeader(name, value);
    return page.orders;
  }

  @Get(':id')
  @Access('admin', 'ops', 'staff', 'channel')
  @ApiOperation({ summary: 'One order: state, lines, allocations, timeline and routing explanation' })
  @ApiResponse({ status: 200, type: OrderView, description: 'The order' })
  @ApiResponse({ status: 404, description: "Unknown order, another channel's, or for staff one none of their locations serves" })
  get(@Param('id') id: string, @Caller() caller: Principal): Promise<OrderView> {
    return this.orders.get(id, caller);
  }
}
