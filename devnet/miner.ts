/**
 * Running one transaction in a block, as a Stacks node does: check it can still be mined, charge
 * the fee, consume the nonces, execute the payload in the Clarity VM and enforce post-conditions.
 */
import type { ClarityEvent } from '@stacks/clarinet-sdk';
import { Cl, type ClarityValue } from '@stacks/transactions';
import type { AccountBook } from './account-book.ts';
import type { DecodedTx } from './decoded-tx.ts';
import { assetMapFromEvents, postConditionFailure } from './post-conditions.ts';
import type { LedgerOp, OpOutcome, SimnetLedger } from './simnet-ledger.ts';

export type IncludedStatus = 'success' | 'abort_by_response' | 'abort_by_post_condition';

export type Execution =
  | {
      type: 'included';
      status: IncludedStatus;
      result: ClarityValue;
      /** Events of what the transaction committed (none when it aborted). */
      events: ClarityEvent[];
      vmError?: string;
    }
  /** The node would not mine it at all (no fee charged, no nonce used). */
  | { type: 'dropped'; reason: string };

export interface MinerContext {
  ledger: SimnetLedger;
  book: AccountBook;
  /** Receives the fees. */
  minerAddress: string;
  /** Fault injection: mine this transaction as aborted without running it. */
  mustAbort(txid: string): boolean;
}

export async function executeTransaction(ctx: MinerContext, tx: DecodedTx): Promise<Execution> {
  const { ledger, book } = ctx;
  if (tx.payload.type === 'token_transfer' && tx.postConditions.length > 0) {
    // stacks-core refuses these in a block ("TokenTransfer transactions do not support
    // post-conditions"); mempool admission does not look at payloads, so they get this far.
    return { type: 'dropped', reason: 'TokenTransfer transactions do not support post-conditions' };
  }
  const shortfall = fundsShortfall(book, tx);
  if (shortfall) return { type: 'dropped', reason: shortfall };

  const fee = ledger.run({
    kind: 'transfer-stx',
    amount: tx.fee,
    recipient: ctx.minerAddress,
    sender: tx.payer,
  });
  if (fee.type !== 'executed' || fee.result.type !== 'ok') {
    throw new Error(`devnet: the VM refused the fee of ${tx.txid}; the account book disagrees`);
  }
  book.payFee(tx.payer, ctx.minerAddress, tx.fee);
  book.bumpNonce(tx.origin);
  if (tx.sponsor !== undefined) book.bumpNonce(tx.sponsor);

  if (ctx.mustAbort(tx.txid)) {
    return aborted(Cl.error(Cl.none()), 'devnet fault injection: aborted in block');
  }
  if (tx.payload.type === 'token_transfer') {
    const transfer = ledger.run({
      kind: 'transfer-stx',
      amount: tx.payload.amount,
      recipient: tx.payload.recipient,
      sender: tx.origin,
    });
    return settle(book, transfer);
  }
  if (tx.payload.type !== 'contract_call') {
    return { type: 'dropped', reason: `the devnet does not execute ${tx.payload.type}` };
  }

  const call: LedgerOp = {
    kind: 'call',
    contract: tx.payload.contractId,
    method: tx.payload.functionName,
    args: tx.payload.args,
    sender: tx.origin,
  };
  let failure: string | undefined;
  const outcome = await ledger.runUnless(call, (ran) => {
    if (ran.type !== 'executed') return false;
    const moved = assetMapFromEvents(ran.events);
    failure = postConditionFailure(tx.postConditions, tx.postConditionMode, tx.origin, moved);
    return failure !== undefined;
  });
  if (outcome.type === 'executed' && failure !== undefined) {
    return {
      type: 'included',
      status: 'abort_by_post_condition',
      result: outcome.result,
      events: [],
      vmError: failure,
    };
  }
  return settle(book, outcome);
}

/** Records what a committed operation did and classifies it as the node does. */
function settle(book: AccountBook, outcome: OpOutcome): Execution {
  if (outcome.type === 'vm-error') {
    // A runtime error: the node mines the transaction (fee paid) with result `(err none)`.
    return aborted(Cl.error(Cl.none()), outcome.message);
  }
  book.applyEvents(outcome.events);
  const status = outcome.result.type === 'err' ? 'abort_by_response' : 'success';
  return { type: 'included', status, result: outcome.result, events: outcome.events };
}

function aborted(result: ClarityValue, vmError: string): Execution {
  return { type: 'included', status: 'abort_by_response', result, events: [], vmError };
}

/** Whether the payer can still pay the fee (and the origin the STX it transfers). */
function fundsShortfall(book: AccountBook, tx: DecodedTx): string | undefined {
  const transferred = tx.payload.type === 'token_transfer' ? tx.payload.amount : 0n;
  const needs = new Map<string, bigint>([[tx.origin, transferred]]);
  needs.set(tx.payer, (needs.get(tx.payer) ?? 0n) + tx.fee);
  for (const [address, needed] of needs) {
    const balance = book.get(address).stx.balance;
    if (balance < needed) return `${address} holds ${balance} µSTX, needs ${needed}`;
  }
  return undefined;
}
