/**
 * Every Kafka topic Fil reads or writes, versioned. The public ones are the
 * contract of PRODUCT.md; the internal ones carry the saga between services.
 */
export const Topics = {
  /** Channels submit orders; key = orderId. */
  ordersSubmitted: 'fil.orders.submitted.v1',
  /** Channels send CancelOrder; key = orderId. */
  ordersCommands: 'fil.orders.commands.v1',
  /** Every order status change with the order's current state; key = orderId. */
  ordersEvents: 'fil.orders.events.v1',
  /** POS/WMS stock adjustments; key = locationId:sku. */
  inventoryAdjustments: 'fil.inventory.adjustments.v1',
  /** Compacted: latest stock figures per locationId:sku. */
  stockLevels: 'fil.inventory.stock-levels.v1',
  /** StockLow and StockRecovered: ATP crossed a reorder point; key = locationId:sku. */
  stockAlerts: 'fil.inventory.stock-alerts.v1',
  /** Channels request returns; key = orderId. */
  returnsRequested: 'fil.returns.requested.v1',
  /** One refund per return for the payment system; key = returnId. */
  refunds: 'fil.refunds.v1',
  /** Messages that could not be accepted, with the reason; key = original key. */
  dlq: 'fil.dlq.v1',
  /** Internal, compacted: every location's profile (type, coordinates, capabilities, capacity); key = locationId. */
  locations: 'fil.inventory.locations.v1',
  /** Internal: the orchestrator asks inventory to reserve, release or commit stock; key = orderId. */
  inventoryCommands: 'fil.inventory.commands.v1',
  /** Internal: inventory's answers (StockReserved, StockReservationRefused...); key = orderId. */
  inventoryEvents: 'fil.inventory.events.v1',
  /** Internal: the orchestrator asks fulfillment to create or cancel fulfillments; key = orderId. */
  fulfillmentCommands: 'fil.fulfillment.commands.v1',
  /** Internal: fulfillment progress (picked, shipped, delivered...); key = orderId. */
  fulfillmentEvents: 'fil.fulfillment.events.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Topics kept as the latest value per key rather than as a log. */
export const COMPACTED_TOPICS: readonly TopicName[] = [Topics.stockLevels, Topics.locations];

/**
 * The Fil services as they name themselves in their CloudEvents source (`/fil/<service>`),
 * consumer group and database: the order orchestrator is `orders`.
 */
export const FIL_SERVICES = ['orders', 'inventory', 'fulfillment', 'returns'] as const;
export type FilService = (typeof FIL_SERVICES)[number];

/** The CloudEvents source a Fil service stamps on everything it publishes. */
export const serviceSource = (service: FilService | string) => `/fil/${service}`;

/**
 * Who may write each topic: the Fil services that own it, or `external` for the
 * contract's inputs (channels, POS/WMS). Consumers refuse internal messages from any
 * other source, and the production broker's ACLs are derived from the same table.
 */
export const TOPIC_WRITERS: Record<TopicName, readonly (FilService | 'external')[]> = {
  [Topics.ordersSubmitted]: ['external'],
  [Topics.ordersCommands]: ['external'],
  [Topics.ordersEvents]: ['orders'],
  [Topics.inventoryAdjustments]: ['external', 'returns', 'fulfillment'],
  [Topics.stockLevels]: ['inventory'],
  [Topics.stockAlerts]: ['inventory'],
  [Topics.returnsRequested]: ['external'],
  [Topics.refunds]: ['returns'],
  [Topics.dlq]: [...FIL_SERVICES],
  [Topics.locations]: ['inventory'],
  [Topics.inventoryCommands]: ['orders', 'fulfillment'],
  [Topics.inventoryEvents]: ['inventory'],
  [Topics.fulfillmentCommands]: ['orders'],
  [Topics.fulfillmentEvents]: ['fulfillment'],
};

/**
 * Whether a consumer of `topic` takes a message whose ce_source is `source`: an internal topic
 * only from a service that writes it, and no topic from a Fil service that does not write it,
 * so that no one else can take a service's message ids.
 */
export function acceptsSource(topic: string, source: string): boolean {
  const writers = TOPIC_WRITERS[topic as TopicName] ?? [];
  const service = FIL_SERVICES.find((name) => serviceSource(name) === source);
  return writers.includes(service ?? 'external');
}
