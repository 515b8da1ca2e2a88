import { Module } from '@nestjs/common';
import { OrderEventsPublisher } from './order-events.publisher';

/** An order's bookkeeping (timeline and order events), for the intake here and for the saga. */
@Module({
  providers: [OrderEventsPublisher],
  exports: [OrderEventsPublisher],
})
export class OrderEventsModule {}
