import { Module } from '@nestjs/common';
import { SagaModule } from '../saga/saga.module';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [SagaModule],
  controllers: [OrdersController],
  providers: [OrdersService],
})
export class OrdersModule {}
