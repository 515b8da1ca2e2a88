import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Kafka } from 'kafkajs';
import { setting } from '@fil/config';
import { createKafka, createsTopicsAtStart, ensureTopics } from './kafka';
import { MessageConsumer, type MessageConsumerOptions } from './message-consumer';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { observeMessaging } from './messaging-metrics';
import { CONSUMER_BATCH } from './messaging-variables';

export const KAFKA = Symbol('KAFKA');

/** Starts the relay and the consumer once every handler is registered, stops them first on shutdown. */
@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly relay: OutboxRelay,
    private readonly consumer: MessageConsumer,
  ) {}

  async onApplicationBootstrap() {
    observeMessaging({ lag: () => this.consumer.lag(), held: () => this.consumer.held().length, outbox: () => this.relay.backlog() });
    if (createsTopicsAtStart()) await ensureTopics(this.kafka);
    await this.relay.start();
    await this.consumer.start();
  }

  async beforeApplicationShutdown() {
    await this.consumer.stop();
    await this.relay.stop();
  }
}

@Module({})
export class MessagingModule {
  /** `acceptsSource` is the contract's rule of who may write each topic, given once for every consumer. */
  static forService(service: string, { acceptsSource }: Pick<MessageConsumerOptions, 'acceptsSource'>): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: KAFKA, useFactory: () => createKafka(`fil-${service}`) },
        { provide: Outbox, useFactory: () => new Outbox(service) },
        {
          provide: MessageConsumer,
          inject: [MikroORM, KAFKA, Outbox],
          useFactory: (orm: MikroORM, kafka: Kafka, outbox: Outbox) =>
            new MessageConsumer(orm, kafka, outbox, {
              service,
              acceptsSource,
              batchSize: setting(CONSUMER_BATCH),
            }),
        },
        { provide: OutboxRelay, inject: [MikroORM, KAFKA], useFactory: (orm: MikroORM, kafka: Kafka) => new OutboxRelay(orm, kafka) },
        MessagingLifecycle,
      ],
      exports: [KAFKA, Outbox, MessageConsumer, OutboxRelay],
    };
  }
}
