/**
 * Spend caps: per call (`maxAmount`, `maxAmountPerCall` per token) and over the client's life
 * (`budget` per token). A refused payment is refused before anything is signed or sent.
 */
import { describe, expect, it } from 'vitest';
import { createSpendLedger } from './spend-limits';
import {
  deliveredReply,
  expectRefusal,
  expectResponse,
  STACKS_READS,
} from './test-support/fixtures';
import { payForHash, useClientHarness } from './test-support/harness';

const harness = useClientHarness();

describe('per-call caps', () => {
  it('refuses a price above maxAmount, before signing or sending anything', async () => {
    const server = await harness.startServer({ onPaid: deliveredReply });
    const refusal = expectRefusal(await payForHash(harness.client({ maxAmount: 999n }), server));
    expect(refusal.code).toBe('amount_above_cap');
    expect(refusal.message).toBe('the price is 1000 (atomic STX), above the cap of 999');
    expect(refusal.status).toBe(402);
    expect(refusal.paymentRequired?.accepts).toHaveLength(3);
    expect(server.requests).toHaveLength(1);
    expect(harness.stacksApi.requests).toEqual([]);

    // The cap applies to the chosen token: 2 sats is within a cap of 999.
    const sbtc = harness.client({ maxAmount: '999', preferredToken: 'sBTC' });
    expect(expectResponse(await payForHash(sbtc, server)).status).toBe(200);
  });

  it('applies maxAmountPerCall to the chosen token only, and the lower of it and maxAmount', async () => {
    const server = await harness.startServer({ onPaid: deliveredReply });
    const caps = { sBTC: 1n, STX: 1000n };

    const sbtc = harness.client({ maxAmountPerCall: caps, preferredToken: 'sBTC' });
    const refusal = expectRefusal(await payForHash(sbtc, server));
    expect(refusal.code).toBe('amount_above_cap');
    expect(refusal.message).toBe('the price is 2 (atomic sBTC), above the cap of 1');
    expect(server.paidRequests()).toEqual([]);
    expect(harness.stacksApi.requests).toEqual([]);

    const stx = harness.client({ maxAmountPerCall: caps, preferredToken: 'STX' });
    expect(expectResponse(await payForHash(stx, server)).payment?.tokenType).toBe('STX');
    expect(server.paidRequests()).toHaveLength(1);

    // USDCx has no per-token cap; maxAmount still applies to it.
    const usdcx = harness.client({
      maxAmountPerCall: caps,
      maxAmount: 1499n,
      preferredToken: 'USDCx',
    });
    expect(expectRefusal(await payForHash(usdcx, server)).message).toBe(
      'the price is 1500 (atomic USDCx), above the cap of 1499',
    );
    const both = harness.client({ maxAmountPerCall: caps, maxAmount: 999n, preferredToken: 'STX' });
    expect(expectRefusal(await payForHash(both, server)).message).toBe(
      'the price is 1000 (atomic STX), above the cap of 999',
    );
  });
});

describe('budget', () => {
  it('pays until the budget is spent, then refuses with budget_exceeded before signing', async () => {
    const server = await harness.startServer({ onPaid: deliveredReply });
    const client = harness.client({ budget: { STX: 2500n } });
    expect(client.spent()).toEqual({ STX: 0n, sBTC: 0n, USDCx: 0n });

    expect(expectResponse(await payForHash(client, server)).status).toBe(200);
    expect(expectResponse(await payForHash(client, server)).status).toBe(200);
    expect(client.spent()).toEqual({ STX: 2000n, sBTC: 0n, USDCx: 0n });
    expect(harness.stacksApi.requests).toEqual([...STACKS_READS, ...STACKS_READS]);

    const refusal = expectRefusal(await payForHash(client, server));
    expect(refusal.code).toBe('budget_exceeded');
    expect(refusal.message).toBe(
      'the price is 1000 (atomic STX), above the remaining budget of 500 (budget 2500, spent 2000)',
    );
    expect(refusal.status).toBe(402);
    // Nothing signed: no nonce asked, no third paid request, nothing more counted.
    expect(harness.stacksApi.requests).toEqual([...STACKS_READS, ...STACKS_READS]);
    expect(server.paidRequests()).toHaveLength(2);
    expect(server.requests).toHaveLength(5);
    expect(client.spent()).toEqual({ STX: 2000n, sBTC: 0n, USDCx: 0n });
  });

  it('limits only the tokens it names', async () => {
    const server = await harness.startServer({ onPaid: deliveredReply });
    const client = harness.client({ budget: { STX: 0n }, preferredToken: 'sBTC' });
    expect(expectResponse(await payForHash(client, server)).payment?.tokenType).toBe('sBTC');
    expect(client.spent()).toEqual({ STX: 0n, sBTC: 2n, USDCx: 0n });
  });
});

describe('createSpendLedger', () => {
  it('holds amounts in progress against the budget, and counts only committed ones', () => {
    const ledger = createSpendLedger({ STX: 1000n });
    const first = ledger.reserve('STX', 600n);
    expect(first.type).toBe('reserved');
    expect(ledger.reserve('STX', 600n)).toEqual({
      type: 'refused',
      message:
        'the price is 600 (atomic STX), above the remaining budget of 400 (budget 1000, spent 0, 600 in payments in progress)',
    });
    if (first.type !== 'reserved') throw new Error('unreachable');
    first.release();
    const second = ledger.reserve('STX', 600n);
    if (second.type !== 'reserved') throw new Error('the released amount is free again');
    second.commit();
    second.commit();
    second.release();
    expect(ledger.spent()).toEqual({ STX: 600n, sBTC: 0n, USDCx: 0n });
    expect(ledger.reserve('STX', 401n).type).toBe('refused');
    expect(ledger.reserve('STX', 400n).type).toBe('reserved');
  });
});
