import { Module } from '@nestjs/common';
import { RoutingPoliciesController } from './routing-policies.controller';
import { RoutingPolicies } from './routing-policies.service';

@Module({
  controllers: [RoutingPoliciesController],
  providers: [RoutingPolicies],
  exports: [RoutingPolicies],
})
export class RoutingModule {}
