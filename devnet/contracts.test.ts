/**
 * The devnet's SIP-010 token contracts, in the Clarity VM directly: deployed at the testnet
 * contract ids, the standard read-only functions, and the two guards (`transfer` only by the
 * sender itself, `mint` only by the deployer).
 */
import { Cl } from '@stacks/transactions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../src/stacks/tokens.ts';
import { type DevnetAccount, loadDevnetAccounts } from './accounts.ts';
import { DEVNET_TOKENS, GENESIS_BALANCES, writeGenesis } from './genesis.ts';
import { SimnetLedger } from './simnet-ledger.ts';

let ledger: SimnetLedger;
let accounts: DevnetAccount[];

beforeAll(async () => {
  [accounts, ledger] = await Promise.all([loadDevnetAccounts(), SimnetLedger.open()]);
  writeGenesis(ledger, accounts);
});

describe.each(DEVNET_TOKENS)('$contractId', (token) => {
  const metadata = { sBTC: ['sBTC', 'sBTC', 8], USDCx: ['USDCx', 'USDCx', 6] } as const;
  const readOnly = (method: string, args = [] as Parameters<typeof ledger.callReadOnly>[2]) =>
    ledger.callReadOnly(token.contractId, method, args, accounts[0].address);

  it('is deployed at the testnet contract id of src/stacks/tokens.ts', () => {
    const testnet = TOKENS[token.type].contract?.testnet;
    expect(token.contractId).toBe(`${testnet?.address}.${testnet?.contractName}`);
    expect(ledger.contractInterface(token.contractId)?.fungible_tokens).toEqual([
      { name: testnet?.assetName },
    ]);
  });

  it('answers the SIP-010 read-only functions', () => {
    const [name, symbol, decimals] = metadata[token.type];
    expect(readOnly('get-name')).toEqual(Cl.ok(Cl.stringAscii(name)));
    expect(readOnly('get-symbol')).toEqual(Cl.ok(Cl.stringAscii(symbol)));
    expect(readOnly('get-decimals')).toEqual(Cl.ok(Cl.uint(decimals)));
    expect(readOnly('get-token-uri')).toEqual(Cl.ok(Cl.none()));
    expect(readOnly('get-total-supply')).toEqual(
      Cl.ok(Cl.uint(GENESIS_BALANCES[token.type] * BigInt(accounts.length))),
    );
    expect(readOnly('get-balance', [Cl.principal(accounts[1].address)])).toEqual(
      Cl.ok(Cl.uint(GENESIS_BALANCES[token.type])),
    );
  });

  it('lets only the sender move its tokens, and only the deployer mint', () => {
    const [, holder, thief] = accounts;
    const steal = ledger.run({
      kind: 'call',
      contract: token.contractId,
      method: 'transfer',
      args: [Cl.uint(1n), Cl.principal(holder.address), Cl.principal(thief.address), Cl.none()],
      sender: thief.address,
    });
    expect(steal).toEqual({ type: 'executed', result: Cl.error(Cl.uint(4n)), events: [] });

    const mint = ledger.run({
      kind: 'call',
      contract: token.contractId,
      method: 'mint',
      args: [Cl.uint(1n), Cl.principal(thief.address)],
      sender: thief.address,
    });
    expect(mint).toEqual({ type: 'executed', result: Cl.error(Cl.uint(401n)), events: [] });
    expect(readOnly('get-balance', [Cl.principal(thief.address)])).toEqual(
      Cl.ok(Cl.uint(GENESIS_BALANCES[token.type])),
    );
  });
});
