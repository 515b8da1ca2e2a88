import { Module } from '@nestjs/common';
import { acceptsSource } from '@fil/contracts';
import { messagingMigrations } from '@fil/messaging';
import type { ServiceDatabase } from '@fil/persistence';
import { PlatformModule, type ServiceDefinition } from '@fil/platform';
import { ordersMigration } from './migrations/0001-orders.migration';
import { routingMigration } from './migrations/0002-routing.migration';
import { ordersByStatusMigration } from './migrations/0003-orders-by-status.migration';
import { sagaWaitsMigration } from './migrations/0004-saga-waits.migration';
import { routingPoliciesMigration } from './migrations/0005-routing-policies.migration';
import { restockedMigration } from './migrations/0006-restocked.migration';
import { ordersByCreationMigration } from './migrations/0007-orders-by-creation.migration';
import { deadLetterRedrivesMigration } from './migrations/0008-dead-letter-redrives.migration';
import { locationPromiseMigration } from './migrations/0009-location-promise.migration';
import { orderEditsMigration } from './migrations/0010-order-edits.migration';
import { attentionFromMigration } from './migrations/0011-attention-from.migration';
import { routingDecisionsMigration } from './migrations/0012-routing-decisions.migration';
import { keptCancelMessageMigration } from './migrations/0013-kept-cancel-message.migration';
import { editDigestsMigration } from './migrations/0014-edit-digests.migration';
import { attentionOnSilenceMigration } from './migrations/0015-attention-on-silence.migration';
import { counterStatusMigration } from './migrations/0016-counter-status.migration';
import { backorderRisenMigration } from './migrations/0017-backorder-risen.migration';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { KpisModule } from './kpis/kpis.module';
import { PromiseModule } from './promise/promise.module';
import { promiseVariables } from './promise/promise-variables';
import { Order } from './orders/order.entity';
import { OrderRoutingRecord } from './orders/order-routing-record.entity';
import { OrderTransition } from './orders/order-transition.entity';
import { OrdersModule } from './orders/orders.module';
import { RoutingPolicyVersion } from './routing/routing-policy-version.entity';
import { RoutingModule } from './routing/routing.module';
import { SagaModule } from './saga/saga.module';
import { orchestratorVariables } from './saga/saga-variables';
import { PendingCancellation } from './saga/pending-cancellation.entity';
import { LocationView } from './stock/location-view.entity';
import { StockView } from './stock/stock-view.entity';
import { StockModule } from './stock/stock.module';

export const definition: ServiceDefinition = {
  // Names the database (fil_orders), the consumer group, ce_source /fil/orders and ORDERS_PORT.
  service: 'orders',
  title: 'Order orchestrator',
  description: 'Order intake and validation, the order state machine, routing, and the saga that drives inventory and fulfillment.',
  defaultPort: 3000,
  variables: [...orchestratorVariables, ...promiseVariables],
};

/** The orchestrator's database: its entities, and the migrations applied in order at start. */
export const database: ServiceDatabase = {
  service: definition.service,
  entities: [Order, OrderTransition, OrderRoutingRecord, PendingCancellation, StockView, LocationView, RoutingPolicyVersion],
  migrations: [...messagingMigrations, ordersMigration, routingMigration, ordersByStatusMigration, sagaWaitsMigration, routingPoliciesMigration, restockedMigration, ordersByCreationMigration, deadLetterRedrivesMigration, locationPromiseMigration, orderEditsMigration, attentionFromMigration, routingDecisionsMigration, keptCancelMessageMigration, editDigestsMigration, attentionOnSilenceMigration, counterStatusMigration, backorderRisenMigration],
};

@Module({
  imports: [
    PlatformModule.forService({ ...database, acceptsSource }),
    StockModule,
    RoutingModule,
    OrdersModule,
    SagaModule,
    KpisModule,
    PromiseModule,
    DeadLettersModule,
  ],
})
export class AppModule {}
