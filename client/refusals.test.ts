/**
 * The 402s the client declines to pay: each is an ordinary result (`type: 'refused'`) with a
 * code, and nothing is signed or sent.
 */
import { describe, expect, it } from 'vitest';
import {
  challengeFor,
  expectRefusal,
  PAY_TO,
  PRICES,
  stacksRequirements,
} from './test-support/fixtures';
import { payForHash, useClientHarness } from './test-support/harness';

const harness = useClientHarness();

function startServer(challenge = challengeFor(stacksRequirements('testnet', PAY_TO, PRICES))) {
  return harness.startServer({
    challenge,
    onPaid: () => ({ status: 500, body: { error: 'this test must not pay' } }),
  });
}

describe('refusals', () => {
  it('refuses requirements on another network', async () => {
    const server = await startServer(challengeFor(stacksRequirements('mainnet', PAY_TO, PRICES)));
    const refusal = expectRefusal(await payForHash(harness.client(), server));
    expect(refusal.code).toBe('network_mismatch');
    expect(refusal.message).toBe(
      'the server asks for payment on stacks:1, but this client pays on testnet (stacks:2147483648)',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a 402 that is not x402 v2', async () => {
    const v1 = (url: string) => ({ ...challengeFor([])(url), x402Version: 1 });
    const server = await startServer(v1);
    const refusal = expectRefusal(await payForHash(harness.client(), server));
    expect(refusal.code).toBe('invalid_payment_required');
    expect(refusal.message).toBe('x402Version is 1, not 2');
  });

  it('refuses an estimated fee above maxFee, and does not count it as spent', async () => {
    harness.stacksApi.state.feeRate = 1000;
    const server = await startServer();
    const client = harness.client({ budget: { STX: 1000n } });
    const refusal = expectRefusal(await payForHash(client, server));
    expect(refusal.code).toBe('fee_above_cap');
    expect(refusal.message).toBe('the estimated fee of 180000 µSTX is above the cap of 100000');
    expect(server.paidRequests()).toEqual([]);
    expect(client.spent()).toEqual({ STX: 0n, sBTC: 0n, USDCx: 0n });
  });
});
