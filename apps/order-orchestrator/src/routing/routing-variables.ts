import { integer, parsed } from '@fil/config';
import { policyDocumentFromEnv } from './dto/routing-policy.document';

export const ROUTING_POLICIES = parsed('FIL_ROUTING_POLICIES', 'a JSON object of routing policies by channel', '{}', 'Per-channel routing overrides that seed routing policy version 1 when none is stored, e.g. {"marketplace": {"shortage": "REJECT"}}; later versions are changed with PUT /routing/policies.', (raw) => policyDocumentFromEnv(raw));
export const ROUTING_POLICY_TTL_MS = integer('FIL_ROUTING_POLICY_TTL_MS', { min: 0, max: 600_000, unit: 'milliseconds', fallback: 1_000 }, 'How long an instance routes on the policy version it read before it looks for a newer one (0: at every decision).');
