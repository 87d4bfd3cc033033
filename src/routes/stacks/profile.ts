/**
 * `GET /stacks/profile/{addressOrName}`: an account as the Stacks API sees it: STX balance (total,
 * locked, unlock height), nonce, fungible and non-fungible token balances, and its BNS name; a BNS
 * name resolves to its owner first (Hiro API: /v1/names, /v1/addresses/stacks,
 * /extended/v1/address/{address}/balances and /nonces).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { createAddress, validateStacksAddress } from '@stacks/transactions';
import { configOf, isStandardAddressOf } from '../../config';
import { errorResponses } from '../../schemas/errors';
import { StacksUpstream } from '../../stacks/upstream';
import { defineRoute, STANDARD } from '../registry';
import { unexpectedUpstream, upstreamErrorResponse } from './upstream-errors';

/** name.namespace or subdomain.name.namespace, as BNS allows (lower case). */
const BNS_NAME = /^(?:[a-z0-9_-]{1,37}\.)?[a-z0-9_-]{1,37}\.[a-z][a-z0-9_-]{0,19}$/;

function isStandardPrincipal(value: string): boolean {
  if (!validateStacksAddress(value)) return false;
  return isStandardAddressOf(value, 'mainnet') || isStandardAddressOf(value, 'testnet');
}

const ProfileParams = z.object({
  addressOrName: z
    .string()
    .max(100)
    .refine((value) => isStandardPrincipal(value) || BNS_NAME.test(value), {
      message:
        'must be a standard Stacks address (with a valid checksum) or a BNS name such as alice.btc',
      params: { code: 'invalid_address_or_name' },
    })
    .openapi({
      param: { name: 'addressOrName', in: 'path' },
      example: 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5',
    }),
});

const ProfileSchema = z
  .object({
    address: z.string(),
    network: z.enum(['mainnet', 'testnet']),
    bnsName: z.string().nullable(),
    nonce: z
      .number()
      .int()
      .openapi({ description: 'The next nonce to use (possible_next_nonce).' }),
    stx: z.object({
      total: z.string().openapi({ description: 'microSTX, locked included' }),
      locked: z.string(),
      available: z.string(),
      unlockHeight: z
        .number()
        .int()
        .openapi({ description: 'Burn block height at which locked STX unlock (0: none).' }),
    }),
    fungibleTokens: z.array(z.object({ asset: z.string(), balance: z.string() })),
    nonFungibleTokens: z.array(z.object({ asset: z.string(), count: z.string() })),
  })
  .openapi('StacksProfile');

interface HiroBalances {
  stx?: { balance?: string; locked?: string; burnchain_unlock_height?: number };
  fungible_tokens?: Record<string, { balance?: string }>;
  non_fungible_tokens?: Record<string, { count?: string }>;
}

export const profileRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/stacks/profile/{addressOrName}',
    tags: ['Stacks'],
    summary: 'Account profile',
    description:
      'STX balance (total, locked, unlock height), nonce, fungible and non-fungible token balances and the BNS name of an address; a BNS name is resolved to its owner first.',
    request: { params: ProfileParams },
    responses: {
      200: {
        description: 'The profile',
        content: { 'application/json': { schema: ProfileSchema } },
      },
      ...errorResponses,
      404: { description: 'Unknown BNS name', content: errorResponses[400].content },
      502: { description: 'The Stacks API failed', content: errorResponses[400].content },
      504: { description: 'The Stacks API timed out', content: errorResponses[400].content },
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const { addressOrName } = c.req.valid('param');
    const config = configOf(c.env);
    const api = new StacksUpstream({
      baseUrl: config.stacksApiUrl,
      timeoutMs: config.stacksApiTimeoutMs,
    });
    let address = addressOrName;
    let bnsName: string | null = null;
    if (!isStandardPrincipal(addressOrName)) {
      const name = await api.get(`/v1/names/${encodeURIComponent(addressOrName)}`);
      if (name.type === 'error') return upstreamErrorResponse(c, name);
      if (name.status === 404) {
        return c.json(
          {
            code: 'name_not_found',
            message: `No BNS name ${addressOrName} is registered (nothing was charged).`,
          },
          404,
        );
      }
      const owner = (name.body as { address?: unknown } | null)?.address;
      if (name.status !== 200 || typeof owner !== 'string')
        return unexpectedUpstream(c, 'name record', name.status);
      address = owner;
      bnsName = addressOrName;
    } else if (!isStandardAddressOf(addressOrName, config.network)) {
      const other = config.network === 'mainnet' ? 'testnet' : 'mainnet';
      return c.json(
        {
          code: 'wrong_network',
          message: `${addressOrName} is a ${other} address and this service reads ${config.network}; convert it with GET /stacks/address/{address} (nothing was charged).`,
        },
        400,
      );
    }
    const [balances, nonces, names] = await Promise.all([
      api.get(`/extended/v1/address/${address}/balances`),
      api.get(`/extended/v1/address/${address}/nonces`),
      bnsName ? Promise.resolve(null) : api.get(`/v1/addresses/stacks/${address}`),
    ]);
    for (const result of [balances, nonces, names])
      if (result?.type === 'error') return upstreamErrorResponse(c, result);
    if (balances.type !== 'ok' || balances.status !== 200)
      return unexpectedUpstream(c, 'balances answer', balances.type === 'ok' ? balances.status : 0);
    if (nonces.type !== 'ok' || nonces.status !== 200)
      return unexpectedUpstream(c, 'nonces answer', nonces.type === 'ok' ? nonces.status : 0);
    const body = balances.body as HiroBalances;
    const total = BigInt(body.stx?.balance ?? '0');
    const locked = BigInt(body.stx?.locked ?? '0');
    if (names?.type === 'ok' && names.status === 200) {
      const listed = (names.body as { names?: unknown } | null)?.names;
      if (Array.isArray(listed) && typeof listed[0] === 'string') bnsName = listed[0];
    }
    return c.json(
      {
        address,
        network:
          createAddress(address).version === 22 || createAddress(address).version === 20
            ? ('mainnet' as const)
            : ('testnet' as const),
        bnsName,
        nonce: Number((nonces.body as { possible_next_nonce?: unknown }).possible_next_nonce ?? 0),
        stx: {
          total: total.toString(),
          locked: locked.toString(),
          available: (total - locked).toString(),
          unlockHeight: body.stx?.burnchain_unlock_height ?? 0,
        },
        fungibleTokens: Object.entries(body.fungible_tokens ?? {}).map(([asset, value]) => ({
          asset,
          balance: value.balance ?? '0',
        })),
        nonFungibleTokens: Object.entries(body.non_fungible_tokens ?? {}).map(([asset, value]) => ({
          asset,
          count: value.count ?? '0',
        })),
      },
      200,
    );
  },
});
