/**
 * `GET /stacks/address/{address}`: a standard or contract principal on mainnet and on testnet.
 * The address is checked (alphabet, c32check checksum, version, contract name) by the route's
 * param schema, so a mistyped address is a free 400 `invalid_address`, never a 402.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../../schemas/errors';
import { parsePrincipal, principalOnNetwork } from '../../stacks/clarity/principal';
import type { StacksNetworkName } from '../../stacks/tokens';
import { type ApiRoute, defineRoute, STANDARD } from '../registry';

const NETWORKS = ['mainnet', 'testnet'] as const;

const AddressParamsSchema = z.object({
  address: z
    .string()
    .superRefine((address, ctx) => {
      const parsed = parsePrincipal(address);
      if (!parsed.ok) {
        ctx.addIssue({
          code: 'custom',
          message: parsed.reason,
          params: { code: 'invalid_address' },
        });
      }
    })
    .openapi({
      param: { name: 'address', in: 'path' },
      description:
        'A Stacks address (SP/SM/ST/SN…) or a contract principal (address.contract-name).',
      example: 'SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7',
    }),
});

const AddressQuerySchema = z.object({
  targetNetwork: z
    .enum(NETWORKS)
    .optional()
    .openapi({
      param: { name: 'targetNetwork', in: 'query' },
      description: 'The network to convert to; by default the other network than the input’s.',
      example: 'testnet',
    }),
});

const principalOn = (network: string) =>
  z.string().openapi({ description: `The same principal on ${network}.` });

export const AddressResponseSchema = z
  .object({
    input: z.string().openapi({ description: 'The principal as sent.' }),
    type: z
      .enum(['standard', 'contract'])
      .openapi({ description: 'standard: an account; contract: address.contract-name.' }),
    network: z.enum(NETWORKS).openapi({ description: 'The network of the input’s version.' }),
    version: z
      .enum(['single-sig', 'multi-sig'])
      .openapi({ description: 'single-sig: SP/ST (versions 22/26); multi-sig: SM/SN (20/21).' }),
    versionByte: z.number().int().openapi({ description: 'The c32 address version.' }),
    hash160: z
      .string()
      .openapi({ description: 'The 20-byte public key (or script) hash, 0x-prefixed hex.' }),
    contractName: z.string().optional().openapi({ description: 'Contract principals only.' }),
    mainnet: principalOn('mainnet'),
    testnet: principalOn('testnet'),
    targetNetwork: z.enum(NETWORKS),
    converted: z.string().openapi({ description: 'The principal on targetNetwork.' }),
  })
  .openapi('StacksAddress', {
    example: {
      input: 'SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7',
      type: 'standard',
      network: 'mainnet',
      version: 'single-sig',
      versionByte: 22,
      hash160: '0xa46ff88886c2ef9762d970b4d2c63678835bd39d',
      mainnet: 'SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7',
      testnet: 'ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQYAC0RQ',
      targetNetwork: 'testnet',
      converted: 'ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQYAC0RQ',
    },
  });

export const stacksAddressRoute: ApiRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/stacks/address/{address}',
    tags: ['Stacks'],
    summary: 'Convert a Stacks address between networks',
    description:
      'Validates a Stacks address or contract principal (c32 alphabet, c32check checksum, version, Clarity contract-name rules) and gives it on mainnet and testnet: SP <-> ST for single-sig, SM <-> SN for multi-sig, the same hash160 and contract name. Invalid input is a free 400 `invalid_address`.',
    request: { params: AddressParamsSchema, query: AddressQuerySchema },
    responses: {
      200: {
        description: 'The principal on both networks',
        content: { 'application/json': { schema: AddressResponseSchema } },
      },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: (c) => {
    const { address } = c.req.valid('param');
    const { targetNetwork } = c.req.valid('query');
    const parsed = parsePrincipal(address);
    // The param schema ran this same check; reaching here with a bad address is a bug.
    if (!parsed.ok) throw new Error(`unvalidated address: ${parsed.reason}`);
    const { principal } = parsed;
    const target: StacksNetworkName =
      targetNetwork ?? (principal.network === 'mainnet' ? 'testnet' : 'mainnet');
    return c.json(
      {
        input: address,
        type: principal.contractName === undefined ? ('standard' as const) : ('contract' as const),
        network: principal.network,
        version: principal.kind,
        versionByte: principal.version,
        hash160: `0x${principal.hash160}`,
        ...(principal.contractName === undefined ? {} : { contractName: principal.contractName }),
        mainnet: principalOnNetwork(principal, 'mainnet'),
        testnet: principalOnNetwork(principal, 'testnet'),
        targetNetwork: target,
        converted: principalOnNetwork(principal, target),
      },
      200,
    );
  },
});
