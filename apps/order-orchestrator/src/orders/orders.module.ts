import { Module } from '@nestjs/common';
import { SagaModule } from '../saga/saga.module';
import { OrderEventsModule } from './order-events.module';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [OrderEventsModule, SagaModule],
  controllers: [OrdersController],
  providers: [OrdersService],
})
export class OrdersModule {}
