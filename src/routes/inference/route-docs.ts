/** OpenAPI descriptions the inference routes share. */
import { ErrorSchema } from '../../schemas/errors';
import { json } from '../storage/payer-store-routes';

/** Failures of the upstream model, answered with `retry-after`; after settlement they are owed. */
export const upstreamFailures = {
  502: {
    description:
      '`upstream_error`: the upstream failed or broke off (after settlement: owed to you)',
    content: json(ErrorSchema),
  },
  503: {
    description:
      '`upstream_rate_limited` (with `retry-after`), `upstream_unavailable`; before the 402: `inference_unavailable`, `inference_misconfigured`, `service_misconfigured` (never charged)',
    content: json(ErrorSchema),
  },
  504: {
    description: '`upstream_timeout`: no answer in time (after settlement: owed to you)',
    content: json(ErrorSchema),
  },
};
