import { Module } from '@nestjs/common';
import { OrderEventsModule } from '../orders/order-events.module';
import { RoutingModule } from '../routing/routing.module';
import { StockModule } from '../stock/stock.module';
import { Allocator } from './allocator';
import { OrderAttention } from './attention';
import { AttentionController } from './attention.controller';
import { Backorders } from './backorders';
import { OrderCancellation } from './cancellation';
import { EarlyCancellations } from './early-cancellations';
import { Compensation } from './compensation';
import { FulfillmentProgress } from './fulfillment-progress';
import { OrderBatches } from './order-batches';
import { OrderIntake } from './intake';
import { OrderEdits } from './order-edits';
import { OrderRequestsController } from './order-requests.controller';
import { OrderSaga } from './order-saga';
import { OverdueSteps } from './overdue-steps';
import { Refunds } from './refunds';
import { ReservationAnswers } from './reservation-answers';
import { SagaCommands } from './saga-commands';
import { SagaController } from './saga.controller';
import { Settlement } from './settlement';
import { Shortages } from './shortages';
import { StepDeadlinesService } from './step-deadlines.service';

@Module({
  imports: [OrderEventsModule, RoutingModule, StockModule],
  controllers: [SagaController, OrderRequestsController, AttentionController],
  providers: [
    OrderIntake,
    OrderBatches,
    OrderSaga,
    Allocator,
    Settlement,
    ReservationAnswers,
    Shortages,
    FulfillmentProgress,
    Refunds,
    OverdueSteps,
    SagaCommands,
    Compensation,
    OrderCancellation,
    EarlyCancellations,
    OrderAttention,
    OrderEdits,
    Backorders,
    StepDeadlinesService,
  ],
  exports: [OrderSaga],
})
export class SagaModule {}
