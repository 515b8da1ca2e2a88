import { BadRequestException, Controller, ForbiddenException, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, mayActForChannel, ROLES, type Principal } from '@fil/auth';
import { PromiseQuery } from './dto/promise.query';
import { PromiseView } from './dto/promise.view';
import { PromiseService } from './promise.service';

@ApiTags('promise')
@Controller('promise')
export class PromiseController {
  constructor(private readonly promises: PromiseService) {}

  @Get()
  @Access(...ROLES)
  @ApiOperation({
    summary: 'Before ordering: for a basket and an address or a store, whether each delivery mode can serve it now, from where, and when',
    description:
      'Decided by the routing engine and the policy a real order would meet now. Home delivery: the shipments and the day each arrives (processing time, cut-off hour, transit days by distance band). Click & collect: the parts (from the store, or transferred) and when the order is ready at the counter. E-reservation: the nearest stores that hold the whole basket.',
  })
  @ApiResponse({ status: 200, type: PromiseView })
  @ApiResponse({ status: 400, description: 'Malformed SKUs or quantities, quantities not one per SKU, half an address, or neither an address nor a store' })
  @ApiResponse({ status: 403, description: "A channel token asking for another channel's policy" })
  promise(@Query() query: PromiseQuery, @Caller() caller: Principal): Promise<PromiseView> {
    if ((query.lat === undefined) !== (query.lng === undefined)) throw new BadRequestException('an address needs both lat and lng');
    const channel = query.channel ?? caller.channels?.[0];
    if (caller.role === 'channel' && !mayActForChannel(caller, channel)) throw new ForbiddenException('this token may not use that channel');
    return this.promises.promise({
      lines: query.skus.map((sku, i) => ({ sku, quantity: query.quantities?.[i] ?? 1 })),
      address: query.lat !== undefined && query.lng !== undefined ? { lat: query.lat, lng: query.lng } : undefined,
      storeId: query.storeId,
      channel,
    });
  }
}
