import { Module } from '@nestjs/common';
import { StockModule } from '../stock/stock.module';
import { OrderEventsPublisher } from './order-events.publisher';
import { OrderSaga } from './order-saga';
import { SagaController } from './saga.controller';

@Module({
  imports: [StockModule],
  controllers: [SagaController],
  providers: [OrderSaga, OrderEventsPublisher],
  exports: [OrderSaga, OrderEventsPublisher],
})
export class SagaModule {}
