import { Module } from '@nestjs/common';
import { StockModule } from '../stock/stock.module';
import { Backorders } from './backorders';
import { OrderCancellation } from './cancellation';
import { Compensation } from './compensation';
import { OrderEventsPublisher } from './order-events.publisher';
import { OrderBatches } from './order-batches';
import { OrderSaga } from './order-saga';
import { SagaCommands } from './saga-commands';
import { SagaController } from './saga.controller';
import { StepDeadlinesService } from './step-deadlines.service';

@Module({
  imports: [StockModule],
  controllers: [SagaController],
  providers: [OrderBatches, OrderSaga, SagaCommands, Compensation, OrderCancellation, Backorders, OrderEventsPublisher, StepDeadlinesService],
  exports: [OrderBatches, OrderSaga, OrderCancellation, OrderEventsPublisher],
})
export class SagaModule {}
