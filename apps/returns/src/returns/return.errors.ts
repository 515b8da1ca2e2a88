/** Why a return request or receipt is refused; clients branch on these. */
export type RefusalReason =
  | 'UNKNOWN_ORDER'
  | 'ORDER_NOT_DELIVERED'
  | 'RETURN_WINDOW_EXPIRED'
  | 'SKU_NOT_ON_ORDER'
  | 'QUANTITY_EXCEEDED'
  | 'SKU_NOT_ON_RETURN'
  | 'UNKNOWN_LOCATION'
  | 'LOCATION_CANNOT_RECEIVE';

/** A business rule refuses the request: HTTP 422 (404 for an unknown order), a REJECTED return over Kafka. */
export class ReturnRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'ReturnRefused';
  }
}

/** The request contradicts what is already recorded under the same id: HTTP 409. */
export class ReturnConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReturnConflict';
  }
}
