import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, type Principal } from '@fil/auth';
import { ApiEmptyBody, EmptyBody } from '@fil/platform';
import { OrderView } from '../orders/dto/order.view';
import { AttentionReasonBody } from '../orders/dto/attention-reason.body';
import { OrderAttention } from './attention';

/** What ops do about an order in NEEDS_ATTENTION besides cancelling it (POST /orders/{id}/cancel). */
@ApiTags('orders')
@Controller('orders/:id/attention')
export class AttentionController {
  constructor(private readonly attention: OrderAttention) {}

  @Post('retry')
  @HttpCode(200)
  @Access('admin', 'ops')
  @ApiOperation({
    summary: 'Send again every command an order in NEEDS_ATTENTION gave up waiting for (a reservation, release, call-off, fulfillment or availability check), with fresh attempts and deadline',
    description:
      'The order returns to the status it had before NEEDS_ATTENTION (OrderResumed) and the saga goes on from there: the answer drives it as usual; no answer again after every attempt brings it back to NEEDS_ATTENTION.',
  })
  @ApiResponse({ status: 200, type: OrderView, description: 'The order, back in its earlier status, waiting for the answers' })
  @ApiResponse({ status: 404, description: 'Unknown order' })
  @ApiResponse({ status: 409, description: 'Not in NEEDS_ATTENTION (a retry already sent waits for its answers), or nothing was given up, with the reason' })
  @ApiEmptyBody()
  retry(@Param('id') id: string, @Body() _body: EmptyBody, @Caller() caller: Principal): Promise<OrderView> {
    return this.attention.retryBy(caller, id);
  }

  @Post('resolve')
  @HttpCode(200)
  @Access('admin', 'ops')
  @ApiOperation({
    summary: 'A person did what an order in NEEDS_ATTENTION asked (recovered a parcel, settled a sale at the till): the order returns to its earlier status',
    description:
      'Nothing is sent or released (OrderResumed, action RESOLVE). An edit that waited on a part whose goods left goes on: the lines it still wanted are routed. Refused while something was given up (retry) or unwanted stock is held (release).',
  })
  @ApiResponse({ status: 200, type: OrderView, description: 'The order, back in its earlier status' })
  @ApiResponse({ status: 400, description: 'No reason given' })
  @ApiResponse({ status: 404, description: 'Unknown order' })
  @ApiResponse({ status: 409, description: 'Not in NEEDS_ATTENTION, or something to retry or release first, with the reason' })
  resolve(@Param('id') id: string, @Body() body: AttentionReasonBody, @Caller() caller: Principal): Promise<OrderView> {
    return this.attention.resolveBy(caller, id, body.reason);
  }

  @Post('release')
  @HttpCode(200)
  @Access('admin', 'ops')
  @ApiOperation({
    summary: 'A person confirmed the goods did not leave: release the stock still held for parts an order in NEEDS_ATTENTION no longer wants',
    description:
      'Parts called off, or every hold of an order that was cancelled, rejected or expired; never a part whose goods left. What else was given up is sent again, and the order returns to its earlier status (OrderResumed).',
  })
  @ApiResponse({ status: 200, type: OrderView, description: 'The order, back in its earlier status, its released parts waiting for inventory' })
  @ApiResponse({ status: 400, description: 'No reason given' })
  @ApiResponse({ status: 404, description: 'Unknown order' })
  @ApiResponse({ status: 409, description: 'Not in NEEDS_ATTENTION, or no stock held that the order no longer wants (what left with its goods is never released), with the reason' })
  release(@Param('id') id: string, @Body() body: AttentionReasonBody, @Caller() caller: Principal): Promise<OrderView> {
    return this.attention.releaseBy(caller, id, body.reason);
  }
}
