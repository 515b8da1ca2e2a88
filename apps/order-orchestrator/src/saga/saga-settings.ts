import { setting } from '@fil/config';
import { E_RESERVATION_TTL_SECONDS, MAX_REROUTES, SAGA_MAX_ATTEMPTS, SAGA_STEP_TIMEOUT_MS } from './saga-variables';

/** Tunables, from the environment once at start-up. */
export interface SagaSettings {
  /** Re-routes per order (refusals, shortages, timeouts) before the rest is backordered or rejected. */
  maxReroutes: number;
  /** How long a command to inventory or fulfillment waits for its answer before it is sent again. */
  stepTimeoutMs: number;
  /** Sends of one command before the saga compensates (reserve) or asks for a person (release, call-off, check). */
  maxAttempts: number;
  /** How long an e-reservation holds the stock in store. */
  eReservationTtlSeconds: number;
}

export function sagaSettingsFromEnv(env = process.env): SagaSettings {
  return {
    maxReroutes: setting(MAX_REROUTES),
    stepTimeoutMs: setting(SAGA_STEP_TIMEOUT_MS),
    maxAttempts: setting(SAGA_MAX_ATTEMPTS),
    eReservationTtlSeconds: setting(E_RESERVATION_TTL_SECONDS),
  };
}
