/**
 * Paying each token: the transaction the client signs for STX, sBTC and USDCx, which entry it
 * picks, and the fee it sets.
 */
import { wireToPostCondition } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import {
  expectResponse,
  PAY_TO,
  PAYER,
  payloadOf,
  SBTC,
  stacksRequirements,
  USDCX,
} from './test-support/fixtures';
import { payForHash, useClientHarness } from './test-support/harness';
import {
  expectTokenTransferCall,
  expectValidPayment,
  startReceiptServer,
} from './test-support/payment-checks';

/** Serialized length of a SIP-010 transfer transaction (contract names differ in length). */
const CONTRACT_CALL_LENGTH = { sBTC: 298, USDCx: 289 };

const harness = useClientHarness();
const startServer = (accepts?: ReturnType<typeof stacksRequirements>) =>
  startReceiptServer(harness, accepts);

describe('token payments', () => {
  it('pays sBTC with transfer(amount, payer, payTo, none) in deny mode with one exact post-condition', async () => {
    const server = await startServer();
    const client = harness.client({ preferredToken: 'sBTC' });
    const result = expectResponse(await payForHash(client, server));
    const { requests } = server;

    expect(requests[0].headers['x-payment-token-type']).toBe('sBTC');
    expect(requests[1].headers['x-payment-token-type']).toBe('sBTC');
    const accepted = stacksRequirements('testnet', PAY_TO, { sBTC: '2' })[0];
    expect(accepted.asset).toBe(SBTC);
    const tx = expectValidPayment(server, requests[1], accepted);
    expectTokenTransferCall(tx, SBTC, 2n);
    expect(tx.postConditions.values.map(wireToPostCondition)).toEqual([
      {
        type: 'ft-postcondition',
        address: PAYER,
        condition: 'eq',
        amount: '2',
        asset: `${SBTC}::sbtc-token`,
      },
    ]);
    const length = payloadOf(requests[1]).payload.transaction.length / 2;
    expect(length).toBe(CONTRACT_CALL_LENGTH.sBTC);
    expect(tx.auth.spendingCondition.fee).toBe(BigInt(3 * CONTRACT_CALL_LENGTH.sBTC));
    expect(result.payment?.tokenType).toBe('sBTC');
    expect(result.status).toBe(200);
  });

  it('pays USDCx on its own contract with the usdcx-token post-condition', async () => {
    const server = await startServer();
    const client = harness.client({ preferredToken: 'USDCx' });
    const result = expectResponse(await payForHash(client, server));

    const accepted = stacksRequirements('testnet', PAY_TO, { USDCx: '1500' })[0];
    expect(accepted.asset).toBe(USDCX);
    const tx = expectValidPayment(server, server.requests[1], accepted);
    expectTokenTransferCall(tx, USDCX, 1500n);
    expect(tx.postConditions.values.map(wireToPostCondition)).toEqual([
      {
        type: 'ft-postcondition',
        address: PAYER,
        condition: 'eq',
        amount: '1500',
        asset: `${USDCX}::usdcx-token`,
      },
    ]);
    expect(tx.auth.spendingCondition.fee).toBe(BigInt(3 * CONTRACT_CALL_LENGTH.USDCx));
    expect(result.payment?.tokenType).toBe('USDCx');
  });

  it('pays the first entry when the preferred token is not offered', async () => {
    const accepts = stacksRequirements('testnet', PAY_TO, { USDCx: '1500', STX: '1000' });
    const server = await startServer(accepts);
    const client = harness.client({ preferredToken: 'sBTC' });
    const result = expectResponse(await payForHash(client, server));
    expect(payloadOf(server.requests[1]).accepted).toEqual(accepts[0]);
    expect(result.payment?.tokenType).toBe('USDCx');
  });

  it("pays the call's own preferred token over the client's, and asks for it by header", async () => {
    const server = await startServer();
    const client = harness.client({ preferredToken: 'sBTC' });
    const result = expectResponse(await payForHash(client, server, { preferredToken: 'USDCx' }));
    expect(server.requests[0].headers['x-payment-token-type']).toBe('USDCx');
    expect(payloadOf(server.requests[1]).accepted.asset).toBe(USDCX);
    expect(result.payment?.tokenType).toBe('USDCx');
  });

  it('applies the fee floor, and a fixed fee without asking for the rate', async () => {
    harness.stacksApi.state.feeRate = 0;
    const server = await startServer();
    expect(expectResponse(await payForHash(harness.client(), server)).payment?.fee).toBe(300n);

    harness.stacksApi.requests.length = 0;
    const fixed = harness.client({ fee: 1234 });
    expect(expectResponse(await payForHash(fixed, server)).payment?.fee).toBe(1234n);
    expect(harness.stacksApi.requests).toEqual([`GET /extended/v1/address/${PAYER}/nonces`]);
  });
});
