/**
 * The devnet's starting state: the SIP-010 token contracts deployed at their testnet contract ids
 * (src/stacks/tokens.ts) and every devnet account funded with STX, sBTC and USDCx.
 */
import { readFileSync } from 'node:fs';
import type { ClarityEvent } from '@stacks/clarinet-sdk';
import { Cl } from '@stacks/transactions';
import { TOKENS, type TokenType } from '../src/stacks/tokens.ts';
import type { DevnetAccount } from './accounts.ts';
import type { LedgerOp, OpOutcome, SimnetLedger } from './simnet-ledger.ts';

/** What each account holds at start, in atomic units (the same STX balance Clarinet gives). */
export const GENESIS_BALANCES: Record<TokenType, bigint> = {
  STX: 100_000_000_000_000n, // 100,000,000 STX
  sBTC: 1_000_000_000n, // 10 BTC in sats
  USDCx: 1_000_000_000_000n, // 1,000,000 USDCx
};

export interface DevnetToken {
  type: Exclude<TokenType, 'STX'>;
  /** `<deployer>.<contract-name>` on testnet. */
  contractId: string;
  /** `<contract id>::<ft name>`, the asset identifier events and post-conditions use. */
  assetId: string;
  deployer: string;
  contractName: string;
}

const CONTRACT_FILES: Record<DevnetToken['type'], string> = {
  sBTC: 'sbtc-token.clar',
  USDCx: 'usdcx.clar',
};

export const DEVNET_TOKENS: readonly DevnetToken[] = (['sBTC', 'USDCx'] as const).map((type) => {
  const contract = TOKENS[type].contract?.testnet;
  if (!contract) throw new Error(`src/stacks/tokens.ts has no testnet contract for ${type}`);
  const contractId = `${contract.address}.${contract.contractName}`;
  return {
    type,
    contractId,
    assetId: `${contractId}::${contract.assetName}`,
    deployer: contract.address,
    contractName: contract.contractName,
  };
});

/**
 * Deploys the token contracts and funds the accounts; returns the events of the funding (the
 * account book starts from them). Throws if the VM refuses any step: a devnet with half its genesis
 * is worse than none.
 */
export function writeGenesis(
  ledger: SimnetLedger,
  accounts: readonly DevnetAccount[],
): ClarityEvent[] {
  const events: ClarityEvent[] = [];
  for (const token of DEVNET_TOKENS) {
    const source = readFileSync(
      new URL(`./contracts/${CONTRACT_FILES[token.type]}`, import.meta.url),
      'utf8',
    );
    expectOk(
      `deploy ${token.contractId}`,
      ledger.run({ kind: 'deploy', name: token.contractName, source, sender: token.deployer }),
    );
  }
  for (const account of accounts) {
    const stx: LedgerOp = {
      kind: 'mint-stx',
      amount: GENESIS_BALANCES.STX,
      recipient: account.address,
    };
    events.push(...expectOk(`fund ${account.name} with STX`, ledger.run(stx)));
    for (const token of DEVNET_TOKENS) {
      const mint = ledger.run({
        kind: 'call',
        contract: token.contractId,
        method: 'mint',
        args: [Cl.uint(GENESIS_BALANCES[token.type]), Cl.principal(account.address)],
        sender: token.deployer,
      });
      events.push(...expectOk(`fund ${account.name} with ${token.type}`, mint));
    }
  }
  return events;
}

function expectOk(step: string, outcome: OpOutcome): ClarityEvent[] {
  if (outcome.type === 'vm-error') throw new Error(`devnet genesis: ${step}: ${outcome.message}`);
  if (outcome.result.type === 'err') {
    throw new Error(`devnet genesis: ${step} returned ${Cl.prettyPrint(outcome.result)}`);
  }
  return outcome.events;
}
