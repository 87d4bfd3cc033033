/**
 * Per-address state as the Stacks node and the Hiro API report it: the account nonce, and the
 * balances and totals that the Hiro API derives from the events of committed transactions. The
 * book is fed the same events the VM emitted, so its balances equal the VM's (the tests check
 * both); HTTP reads come from here and never touch the VM while a block is being mined.
 */
import type { ClarityEvent } from '@stacks/clarinet-sdk';

export interface AssetTotals {
  balance: bigint;
  totalSent: bigint;
  totalReceived: bigint;
}

export interface StxTotals extends AssetTotals {
  totalFeesSent: bigint;
  totalMinerRewardsReceived: bigint;
}

export interface AccountState {
  /** The nonce the next transaction from this address must carry (count of mined ones). */
  nonce: number;
  stx: StxTotals;
  /** Keyed by asset identifier, `<contract id>::<ft name>`. */
  fungible: Map<string, AssetTotals>;
}

function emptyTotals(): AssetTotals {
  return { balance: 0n, totalSent: 0n, totalReceived: 0n };
}

function emptyAccount(): AccountState {
  return {
    nonce: 0,
    stx: { ...emptyTotals(), totalFeesSent: 0n, totalMinerRewardsReceived: 0n },
    fungible: new Map(),
  };
}

export class AccountBook {
  private readonly accounts = new Map<string, AccountState>();

  /** The state of an address; a fresh, empty one for an address the chain never saw. */
  get(address: string): AccountState {
    return this.accounts.get(address) ?? emptyAccount();
  }

  /** Every address that holds or held something, in first-seen order. */
  addresses(): string[] {
    return [...this.accounts.keys()];
  }

  applyEvents(events: readonly ClarityEvent[]): void {
    for (const { event, data } of events) {
      const amount = typeof data.amount === 'string' ? BigInt(data.amount) : 0n;
      switch (event) {
        case 'stx_transfer_event':
          this.send(this.edit(data.sender).stx, amount);
          this.receive(this.edit(data.recipient).stx, amount);
          break;
        case 'stx_mint_event':
          this.receive(this.edit(data.recipient).stx, amount);
          break;
        case 'stx_burn_event':
          this.send(this.edit(data.sender).stx, amount);
          break;
        case 'ft_transfer_event':
          this.send(this.fungible(data.sender, data.asset_identifier), amount);
          this.receive(this.fungible(data.recipient, data.asset_identifier), amount);
          break;
        case 'ft_mint_event':
          this.receive(this.fungible(data.recipient, data.asset_identifier), amount);
          break;
        case 'ft_burn_event':
          this.send(this.fungible(data.sender, data.asset_identifier), amount);
          break;
      }
    }
  }

  /** A transaction fee leaves the payer and goes to the miner (not counted as sent/received). */
  payFee(payer: string, miner: string, fee: bigint): void {
    const paying = this.edit(payer).stx;
    paying.balance -= fee;
    paying.totalFeesSent += fee;
    const mining = this.edit(miner).stx;
    mining.balance += fee;
    mining.totalMinerRewardsReceived += fee;
  }

  bumpNonce(address: string): void {
    this.edit(address).nonce += 1;
  }

  private edit(address: string): AccountState {
    let account = this.accounts.get(address);
    if (!account) {
      account = emptyAccount();
      this.accounts.set(address, account);
    }
    return account;
  }

  private fungible(address: string, assetId: string): AssetTotals {
    const holdings = this.edit(address).fungible;
    let totals = holdings.get(assetId);
    if (!totals) {
      totals = emptyTotals();
      holdings.set(assetId, totals);
    }
    return totals;
  }

  private send(totals: AssetTotals, amount: bigint): void {
    totals.balance -= amount;
    totals.totalSent += amount;
  }

  private receive(totals: AssetTotals, amount: bigint): void {
    totals.balance += amount;
    totals.totalReceived += amount;
  }
}
