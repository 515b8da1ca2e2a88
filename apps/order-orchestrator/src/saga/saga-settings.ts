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
    maxReroutes: Number(env.FIL_MAX_REROUTES ?? 3),
    stepTimeoutMs: Number(env.FIL_SAGA_STEP_TIMEOUT_MS ?? 30_000),
    maxAttempts: Number(env.FIL_SAGA_MAX_ATTEMPTS ?? 3),
    eReservationTtlSeconds: Number(env.FIL_E_RESERVATION_TTL_SECONDS ?? 48 * 3600),
  };
}
