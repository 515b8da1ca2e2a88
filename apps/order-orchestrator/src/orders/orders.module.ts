import { Module } from '@nestjs/common';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { OrderMetrics } from './order-metrics';

@Module({
  controllers: [OrdersController],
  providers: [OrdersService, OrderMetrics],
})
export class OrdersModule {}
