import { describe, expect, it } from 'vitest';
import type { PaymentRequirements } from '../src/payment/protocol';
import { validatePaymentRequired } from './payment-required';
import { selectRequirement } from './select-requirement';
import { PAY_TO, stacksRequirements } from './test-support/fixtures';

const [STX, SBTC, USDCX] = stacksRequirements('testnet', PAY_TO, {
  STX: '1000',
  sBTC: '2',
  USDCx: '1500',
});

describe('validatePaymentRequired', () => {
  it('sets aside entries this client cannot pay and keeps the others verbatim', () => {
    const upto = { ...STX, scheme: 'upto' };
    const noExtra = { ...SBTC, extra: undefined };
    const decoded = validatePaymentRequired({
      x402Version: 2,
      resource: { url: 'http://127.0.0.1/x' },
      accepts: [upto, noExtra, USDCX],
      extensions: { bazaar: { info: {} } },
    });
    expect(decoded).toEqual({
      ok: true,
      paymentRequired: {
        x402Version: 2,
        resource: { url: 'http://127.0.0.1/x' },
        accepts: [USDCX],
        extensions: { bazaar: { info: {} } },
      },
      ignored: ['accepts[0]: scheme is "upto", not "exact"', 'accepts[1]: extra is not an object'],
    });
    if (decoded.ok) expect(decoded.paymentRequired.accepts[0]).toBe(USDCX);
  });

  it('rejects a challenge without a usable requirement or with a bad amount', () => {
    expect(
      validatePaymentRequired({
        x402Version: 2,
        resource: { url: 'u' },
        accepts: [{ ...STX, amount: '1e3' }],
      }),
    ).toEqual({
      ok: false,
      reason:
        'no usable requirement in accepts (accepts[0]: amount is not a decimal string of atomic units)',
    });
    expect(validatePaymentRequired({ x402Version: 2, accepts: [STX] })).toEqual({
      ok: false,
      reason: 'resource.url is missing',
    });
  });
});

describe('selectRequirement', () => {
  it('matches the preferred token by asset, whatever the order', () => {
    expect(
      selectRequirement([STX, SBTC, USDCX], { network: 'testnet', preferredToken: 'USDCx' }),
    ).toEqual({ type: 'selected', requirement: USDCX, tokenType: 'USDCx' });
  });

  it('skips entries whose asset is unknown or contradicts extra.tokenType', () => {
    const foreign: PaymentRequirements = { ...SBTC, asset: 'ST000000000000000000002AMW42H.fake' };
    const mislabelled: PaymentRequirements = {
      ...SBTC,
      extra: { ...SBTC.extra, tokenType: 'STX' },
    };
    expect(selectRequirement([foreign, mislabelled, USDCX], { network: 'testnet' })).toEqual({
      type: 'selected',
      requirement: USDCX,
      tokenType: 'USDCx',
    });
    expect(selectRequirement([foreign, mislabelled], { network: 'testnet' })).toEqual({
      type: 'refused',
      code: 'unsupported_asset',
      message:
        'the server asks for ST000000000000000000002AMW42H.fake, ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token; this client pays only STX, sBTC or USDCx on testnet',
    });
  });

  it('pays on its own network only, picking among the entries on it', () => {
    const [mainnetStx] = stacksRequirements('mainnet', PAY_TO, { STX: '1' });
    expect(selectRequirement([mainnetStx, SBTC], { network: 'testnet' })).toMatchObject({
      type: 'selected',
      requirement: SBTC,
    });
    expect(selectRequirement([SBTC], { network: 'mainnet' })).toMatchObject({
      type: 'refused',
      code: 'network_mismatch',
    });
  });

  it('allows a price equal to the cap', () => {
    expect(selectRequirement([STX], { network: 'testnet', maxAmount: 1000n })).toMatchObject({
      type: 'selected',
    });
  });
});
