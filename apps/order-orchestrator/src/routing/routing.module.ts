import { Module } from '@nestjs/common';
import { RoutingPoliciesController } from './routing-policies.controller';
import { RoutingPolicies } from './routing-policies.service';
import { RoutingSimulationsController } from './routing-simulations.controller';
import { RoutingSimulations } from './routing-simulations.service';

@Module({
  controllers: [RoutingPoliciesController, RoutingSimulationsController],
  providers: [RoutingPolicies, RoutingSimulations],
  exports: [RoutingPolicies],
})
export class RoutingModule {}
