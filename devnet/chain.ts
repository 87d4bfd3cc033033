/**
 * The devnet chain: genesis, the mempool, blocks, and every transaction's fate. It is what the
 * HTTP layer (routes.ts) asks; the Clarity VM behind it is only touched while admitting or mining.
 */
import { createHash } from 'node:crypto';
import type { ClarityEvent } from '@stacks/clarinet-sdk';
import { Cl, type ClarityValue, txidFromData } from '@stacks/transactions';
import { AccountBook } from './account-book.ts';
import { type DevnetAccount, loadDevnetAccounts } from './accounts.ts';
import { admissionRejection, type Rejection } from './admission.ts';
import { type DecodedTx, decodeTransaction, TransactionDecodeError } from './decoded-tx.ts';
import { FaultPlan } from './faults.ts';
import { DEVNET_TOKENS, writeGenesis } from './genesis.ts';
import { Mempool } from './mempool.ts';
import { executeTransaction, type IncludedStatus } from './miner.ts';
import { type ContractInterface, SimnetLedger } from './simnet-ledger.ts';

/** Fees go to this address (the testnet boot address), standing in for the block's miner. */
export const MINER_ADDRESS = 'ST000000000000000000002AMW42H';

export type TxStatus =
  | 'pending'
  | IncludedStatus
  | 'dropped_replace_by_fee'
  | 'dropped_problematic';

export interface BlockRecord {
  height: number;
  /** 64 hex digits, no `0x`. */
  hash: string;
  parentHash: string;
  /** Unix seconds. */
  time: number;
  txids: string[];
}

export interface MinedTx {
  block: BlockRecord;
  txIndex: number;
  result: ClarityValue;
  events: ClarityEvent[];
  vmError?: string;
}

export interface TxRecord {
  tx: DecodedTx;
  receivedAt: number;
  status: TxStatus;
  mined?: MinedTx;
  replacedBy?: string;
}

export type SubmitOutcome =
  | { type: 'accepted' | 'known'; txid: string }
  | { type: 'rejected'; txid: string; rejection: Rejection };

export class DevnetChain {
  readonly book = new AccountBook();
  readonly mempool = new Mempool();
  /** The account whose key the facilitator's `/settle` sponsors sponsored payments with, if any. */
  facilitatorSponsor: DevnetAccount | undefined;
  readonly faults = new FaultPlan();
  private readonly txs = new Map<string, TxRecord>();
  private readonly blocks: BlockRecord[];
  private mining: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly ledger: SimnetLedger,
    /** The funded devnet accounts, with their keys. */
    readonly accounts: readonly DevnetAccount[],
    private readonly log: (line: string) => void,
  ) {
    const genesisHash = sha256Hex('x402-stacks-devnet genesis');
    this.blocks = [
      { height: 0, hash: genesisHash, parentHash: '0'.repeat(64), time: nowSeconds(), txids: [] },
    ];
  }

  /** Loads the VM, deploys the tokens and funds the devnet accounts (about 2 s). */
  static async create(log: (line: string) => void = () => {}): Promise<DevnetChain> {
    // Deriving the account keys and loading the VM interleave (both are async): ~1 s saved.
    const [accounts, ledger] = await Promise.all([loadDevnetAccounts(), SimnetLedger.open()]);
    const chain = new DevnetChain(ledger, accounts, log);
    chain.book.applyEvents(writeGenesis(ledger, accounts));
    return chain;
  }

  get tip(): BlockRecord {
    return this.blocks[this.blocks.length - 1];
  }

  blockAt(height: number): BlockRecord | undefined {
    return this.blocks[height];
  }

  transaction(txid: string): TxRecord | undefined {
    return this.txs.get(txid);
  }

  contractInterface(contractId: string): ContractInterface | undefined {
    return this.ledger.contractInterface(contractId);
  }

  /** µSTX the address holds minus what its pending transactions (but `except`) will spend. */
  spendableStx(address: string, except?: string): bigint {
    return this.book.get(address).stx.balance - this.mempool.spending(address, except);
  }

  /** `POST /v2/transactions`: admit a raw transaction to the mempool, as a node would. */
  submit(raw: Uint8Array): SubmitOutcome {
    const { outcome, tx, replacing } = this.evaluate(raw);
    if (outcome.type === 'rejected') {
      this.log(`rejected ${outcome.txid}: ${outcome.rejection.reason}`);
    }
    if (outcome.type !== 'accepted' || !tx) return outcome;
    if (replacing) this.drop(replacing, 'dropped_replace_by_fee', tx.txid);
    const receivedAt = Date.now();
    this.mempool.add(tx, receivedAt);
    this.txs.set(tx.txid, { tx, receivedAt, status: 'pending' });
    this.faults.accepted(tx.txid);
    this.log(`accepted ${tx.txid} (${tx.payload.type} from ${tx.origin}, nonce ${tx.nonce})`);
    return { type: 'accepted', txid: tx.txid };
  }

  /** What `submit` would answer, without admitting anything (the facilitator's `/verify`). */
  wouldAdmit(raw: Uint8Array): SubmitOutcome {
    return this.evaluate(raw).outcome;
  }

  /** Runs a read-only function, once no block is being mined (a replay rebuilds the VM). */
  async callReadOnly(
    contractId: string,
    functionName: string,
    args: ClarityValue[],
    sender: string,
  ): Promise<ClarityValue> {
    for (;;) {
      const mining = this.mining;
      await mining;
      // A block queued while we waited runs next; the VM is only idle once none is left.
      if (mining === this.mining) break;
    }
    return this.ledger.callReadOnly(contractId, functionName, args, sender);
  }

  /** Drops a pending transaction (replace-by-fee, or the `replace-transaction` fault). */
  drop(
    txid: string,
    status: 'dropped_replace_by_fee' | 'dropped_problematic',
    by?: string,
  ): boolean {
    const record = this.txs.get(txid);
    if (record?.status !== 'pending') return false;
    this.mempool.remove(txid);
    record.status = status;
    record.replacedBy = by;
    this.log(`dropped ${txid}: ${status}`);
    return true;
  }

  /** Mines one block now; blocks are mined one at a time, in call order. */
  mineBlock(): Promise<BlockRecord> {
    const next = this.mining.then(() => this.mineNext());
    this.mining = next.catch(() => undefined);
    return next;
  }

  /** The VM's own view of balances, to check the account book against (tests, diagnostics). */
  vmBalances(address: string): { stx: bigint; fungible: Map<string, bigint> } {
    const fungible = new Map<string, bigint>();
    for (const token of DEVNET_TOKENS) {
      const balance = this.ledger.callReadOnly(
        token.contractId,
        'get-balance',
        [Cl.principal(address)],
        address,
      );
      if (balance.type === 'ok' && balance.value.type === 'uint') {
        fungible.set(token.assetId, BigInt(balance.value.value));
      }
    }
    return { stx: this.ledger.stxBalance(address), fungible };
  }

  /** The node's admission checks, in its order; `replacing` is a pending tx it would replace. */
  private evaluate(raw: Uint8Array): {
    outcome: SubmitOutcome;
    tx?: DecodedTx;
    replacing?: string;
  } {
    let tx: DecodedTx;
    try {
      tx = decodeTransaction(raw);
    } catch (error) {
      if (!(error instanceof TransactionDecodeError)) throw error;
      const rejection = { reason: 'Deserialization', reasonData: { message: error.message } };
      return { outcome: { type: 'rejected', txid: txidFromData(raw), rejection } };
    }
    const known = this.txs.get(tx.txid);
    // A node answers a transaction it already holds with its txid again (and relays nothing).
    if (known && !known.status.startsWith('dropped')) {
      return { outcome: { type: 'known', txid: tx.txid } };
    }
    const conflict = this.mempool.conflictFor(tx);
    const replacing = conflict.type === 'replaces' ? conflict.previous.tx.txid : undefined;
    const rejection =
      admissionRejection(tx, {
        accountNonce: (address) => this.book.get(address).nonce,
        spendableStx: (address) => this.spendableStx(address, replacing),
        contractInterface: (id) => this.ledger.contractInterface(id),
      }) ?? (conflict.type === 'conflict' ? { reason: 'ConflictingNonceInMempool' } : undefined);
    if (rejection) return { outcome: { type: 'rejected', txid: tx.txid, rejection } };
    return { outcome: { type: 'accepted', txid: tx.txid }, tx, replacing };
  }

  private async mineNext(): Promise<BlockRecord> {
    const parent = this.tip;
    const candidates = this.mempool.takeable(
      (address) => this.book.get(address).nonce,
      (txid) => this.faults.isHeld(txid),
    );
    const included: Array<{ record: TxRecord; mined: Omit<MinedTx, 'block'> }> = [];
    for (const tx of candidates) {
      // A broadcast handled while an earlier transaction ran may have replaced this one.
      const record = this.txs.get(tx.txid);
      if (!record || !this.mempool.get(tx.txid)) continue;
      this.mempool.remove(tx.txid);
      const execution = await executeTransaction(
        {
          ledger: this.ledger,
          book: this.book,
          minerAddress: MINER_ADDRESS,
          mustAbort: (txid) => this.faults.mustAbort(txid),
        },
        tx,
      );
      if (execution.type === 'dropped') {
        record.status = 'dropped_problematic';
        this.log(`dropped ${tx.txid}: ${execution.reason}`);
        continue;
      }
      record.status = execution.status;
      const { result, events, vmError } = execution;
      included.push({ record, mined: { txIndex: included.length, result, events, vmError } });
    }
    const txids = included.map(({ record }) => record.tx.txid);
    const height = parent.height + 1;
    const time = nowSeconds();
    const block: BlockRecord = {
      height,
      hash: sha256Hex(`${parent.hash}:${height}:${time}:${txids.join(',')}`),
      parentHash: parent.hash,
      time,
      txids,
    };
    for (const { record, mined } of included) record.mined = { ...mined, block };
    this.blocks.push(block);
    this.faults.blockMined();
    if (txids.length > 0) {
      const outcomes = included.map(({ record }) => `${record.tx.txid} ${record.status}`);
      this.log(`mined block ${height}: ${outcomes.join(', ')}`);
    }
    return block;
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
