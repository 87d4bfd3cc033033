import { z } from '@hono/zod-openapi';

/** Every error body: a machine-readable code and a sentence a person can act on. */
export const ErrorSchema = z
  .object({
    code: z.string().openapi({ example: 'invalid_request' }),
    message: z.string().openapi({ example: 'The request is invalid: data: Required' }),
  })
  .passthrough()
  .openapi('Error');

const json = { 'application/json': { schema: ErrorSchema } };

export const errorResponses = {
  400: { description: 'Invalid request (never charged)', content: json },
  402: {
    description: 'Payment required: the x402 challenge (also in the `payment-required` header)',
    content: json,
  },
  413: { description: 'Request body too large', content: json },
  503: { description: 'Payments are not configured on this server', content: json },
};
