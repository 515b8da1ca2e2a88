import { integer } from '@fil/config';
import { ROUTING_POLICIES, ROUTING_POLICY_TTL_MS } from '../routing/routing-variables';

export const MAX_REROUTES = integer('FIL_MAX_REROUTES', { min: 0, max: 100, fallback: 3 }, 'Re-routes per order (refusals, shortages, timeouts) before the rest is backordered or rejected.');
export const SAGA_STEP_TIMEOUT_MS = integer('FIL_SAGA_STEP_TIMEOUT_MS', { min: 1, max: 86_400_000, unit: 'milliseconds', fallback: 30_000 }, 'How long a command to inventory or fulfillment waits for its answer before it is sent again.');
export const SAGA_MAX_ATTEMPTS = integer('FIL_SAGA_MAX_ATTEMPTS', { min: 1, max: 100, fallback: 3 }, 'Sends of one command before the saga compensates (reserve) or asks for a person (release, call-off, check).');
export const SAGA_POLL_MS = integer('FIL_SAGA_POLL_MS', { min: 10, max: 3_600_000, unit: 'milliseconds', fallback: 1_000 }, 'How often step deadlines and backorders are swept.');
export const E_RESERVATION_TTL_SECONDS = integer('FIL_E_RESERVATION_TTL_SECONDS', { min: 1, max: 31_536_000, unit: 'seconds', fallback: 48 * 3600 }, 'How long an e-reservation holds the stock in store.');
export const EARLY_CANCEL_TTL_SECONDS = integer('FIL_EARLY_CANCEL_TTL_SECONDS', { min: 1, max: 31_536_000, unit: 'seconds', fallback: 86_400 }, 'How long a CancelOrder that overtook its order is kept waiting for it; then it goes to the DLQ.');

export const orchestratorVariables = [MAX_REROUTES, SAGA_STEP_TIMEOUT_MS, SAGA_MAX_ATTEMPTS, SAGA_POLL_MS, E_RESERVATION_TTL_SECONDS, EARLY_CANCEL_TTL_SECONDS, ROUTING_POLICIES, ROUTING_POLICY_TTL_MS];
