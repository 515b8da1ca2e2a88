import { Module } from '@nestjs/common';
import { OrderEventsModule } from '../orders/order-events.module';
import { StockModule } from '../stock/stock.module';
import { Backorders } from './backorders';
import { OrderCancellation } from './cancellation';
import { Compensation } from './compensation';
import { OrderSaga } from './order-saga';
import { SagaCommands } from './saga-commands';
import { SagaController } from './saga.controller';
import { StepDeadlinesService } from './step-deadlines.service';

@Module({
  imports: [OrderEventsModule, StockModule],
  controllers: [SagaController],
  providers: [OrderSaga, SagaCommands, Compensation, OrderCancellation, Backorders, StepDeadlinesService],
  exports: [OrderSaga, OrderCancellation],
})
export class SagaModule {}
