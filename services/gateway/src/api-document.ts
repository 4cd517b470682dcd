/** The gateway's own public operations, for the OpenAPI document (scripts/openapi.ts). */
import { z } from 'zod';
import { isoTime, type ApiOperations } from '@platform/shared/http/api-operations';

export const gatewayOperations: ApiOperations = {
  'GET /audit-log': {
    summary: "Every service's audit trail, newest first",
    query: z.object({ since: isoTime.optional(), limit: z.coerce.number().int().min(1).max(1_000).default(200) }),
    answers: {
      200: {
        description: 'Audit entries (`incomplete` names services that did not answer)',
        body: z.object({ incomplete: z.array(z.string()), entries: z.array(z.looseObject({ at: isoTime, actor: z.string(), action: z.string(), target: z.string(), outcome: z.string() })) }),
      },
    },
  },
};
