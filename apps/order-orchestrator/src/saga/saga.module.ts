import { Module } from '@nestjs/common';
import { StockModule } from '../stock/stock.module';
import { OrderEventsPublisher } from './order-events.publisher';
import { OrderSaga } from './order-saga';
import { SagaController } from './saga.controller';
import { StepDeadlinesService } from './step-deadlines.service';

@Module({
  imports: [StockModule],
  controllers: [SagaController],
  providers: [OrderSaga, OrderEventsPublisher, StepDeadlinesService],
  exports: [OrderSaga, OrderEventsPublisher],
})
export class SagaModule {}
