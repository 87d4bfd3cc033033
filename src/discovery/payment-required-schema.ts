/**
 * JSON Schemas of the x402 v2 messages (DESIGN section 3), for the OpenAPI document's `402`
 * responses. They describe src/payment/protocol.ts; the 402 body adds our `code` and `message`.
 */
const requirementsSchema = {
  type: 'object',
  description: 'One way to pay: copy it verbatim into the payment payload as `accepted`.',
  properties: {
    scheme: { type: 'string', const: 'exact' },
    network: {
      type: 'string',
      description: 'CAIP-2: stacks:1 (mainnet) or stacks:2147483648 (testnet).',
      examples: ['stacks:2147483648'],
    },
    amount: {
      type: 'string',
      pattern: '^[0-9]+$',
      description: 'Atomic units: microSTX, sats or microUSDCx.',
      examples: ['1000'],
    },
    asset: {
      type: 'string',
      description: '"STX" or the token contract principal.',
      examples: ['STX', 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token'],
    },
    payTo: { type: 'string', description: 'The Stacks address to pay.' },
    maxTimeoutSeconds: { type: 'integer', examples: [300] },
    extra: {
      type: 'object',
      properties: {
        tokenType: { type: 'string', enum: ['STX', 'sBTC', 'USDCx'] },
        tokenContract: { type: 'string' },
        decimals: { type: 'integer' },
        pricingTier: { type: 'string', enum: ['standard', 'dynamic'] },
      },
      required: ['tokenType', 'decimals', 'pricingTier'],
    },
  },
  required: ['scheme', 'network', 'amount', 'asset', 'payTo', 'maxTimeoutSeconds', 'extra'],
} as const;

const paymentRequiredSchema = {
  type: 'object',
  description:
    'The x402 v2 PaymentRequired, also sent base64-encoded in the `payment-required` header, with `code` and `message`.',
  properties: {
    x402Version: { type: 'integer', const: 2 },
    error: { type: 'string', examples: ['payment_required'] },
    resource: {
      type: 'object',
      properties: {
        url: { type: 'string' },
        description: { type: 'string' },
        mimeType: { type: 'string' },
      },
      required: ['url'],
    },
    accepts: { type: 'array', items: { $ref: '#/components/schemas/PaymentRequirements' } },
    extensions: {
      type: 'object',
      description: '`payment-identifier`, `delivery` and `bazaar` (how to call this route).',
    },
    code: { type: 'string', examples: ['payment_required'] },
    message: { type: 'string' },
  },
  required: ['x402Version', 'resource', 'accepts', 'code', 'message'],
} as const;

export const X402_COMPONENT_SCHEMAS = {
  PaymentRequirements: requirementsSchema,
  PaymentRequired: paymentRequiredSchema,
};

export const PAYMENT_REQUIRED_RESPONSE = {
  description:
    'Payment required: the x402 v2 challenge. Sign one `accepts` entry and retry with a `payment-signature` header; also answered for a payment that was refused (see `code`). Never charged.',
  headers: {
    'payment-required': {
      description: 'base64 of the PaymentRequired JSON (the body without code and message).',
      schema: { type: 'string' },
    },
  },
  content: {
    'application/json': { schema: { $ref: '#/components/schemas/PaymentRequired' } },
  },
};
