import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '@fil/auth';
import { SimulationBody } from './dto/simulation.body';
import { RoutingSimulations } from './routing-simulations.service';

@ApiTags('routing')
@Controller('routing/simulations')
export class RoutingSimulationsController {
  constructor(private readonly simulations: RoutingSimulations) {}

  @Post()
  @HttpCode(200)
  @Access('admin', 'ops')
  @ApiOperation({ summary: "Recorded orders' first decisions replayed under a proposed policy, compared with the policy they used; nothing is changed" })
  @ApiResponse({
    status: 200,
    description:
      '{replayed, skipped (count by reason), replayDiffers (orders the version used now routes otherwise), groups: [{channel, deliveryMode, used, proposed}], total: {used, proposed}, changed: [{orderId, channel, deliveryMode, used, proposed}]}; ' +
      'figures: {orders, shipmentsPerOrder, splitRate, averageDistanceKm, totalCost (each side with its own weights), fillRate, backorderedUnits}',
  })
  @ApiResponse({ status: 400, description: 'An invalid policy document or window, with the reasons' })
  simulate(@Body() body: SimulationBody) {
    return this.simulations.simulate(body.policy, { from: body.from, to: body.to, orders: body.orders });
  }
}
