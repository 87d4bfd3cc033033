import type { SettleOutcome, Settler } from '../../../src/payment/settler';
import type { TrackingJob } from '../../../src/payment/tracking';
import type { VerifiedPayment } from '../../../src/payment/types';
import type {
  ChainReader,
  NonceLookup,
  PayerNonces,
  TipLookup,
  TxLookup,
} from '../../../src/stacks/stacks-api';

/** A settler that records what it was asked to settle and answers a scripted outcome. */
export class FakeSettler implements Settler {
  readonly settled: VerifiedPayment[] = [];
  next: (payment: VerifiedPayment) => SettleOutcome = (payment) => ({
    type: 'settled',
    txid: payment.txid,
  });

  async settle(payment: VerifiedPayment): Promise<SettleOutcome> {
    this.settled.push(payment);
    // Yield like a network call would, so concurrent requests interleave.
    await new Promise((resolve) => setTimeout(resolve, 1));
    return this.next(payment);
  }

  answer(outcome: SettleOutcome): void {
    this.next = () => outcome;
  }
}

/** Records the payments handed to the tracker instead of starting Durable Object alarms. */
export class FakeTracker {
  readonly jobs: TrackingJob[] = [];
  readonly start = async (_env: Env, job: TrackingJob): Promise<void> => {
    this.jobs.push(job);
  };
}

/** A scripted chain: what the Stacks API says about transactions and nonces. */
export class FakeChain implements ChainReader {
  readonly txs = new Map<string, { txStatus: string; blockHeight?: number }>();
  /** Each payer's last executed nonce (none executed when unset). */
  readonly nonces = new Map<string, number | null>();
  /**
   * Each payer's pending nonces as the Hiro API reports them. A payer not scripted here reads as
   * if every nonce below the one it pays with were pending: whatever it pays with can be mined.
   */
  readonly pending = new Map<string, Pick<PayerNonces, 'possibleNextNonce' | 'missingNonces'>>();
  tipHeight = 100;
  /** When set, every read fails as if the API were down. */
  down = false;
  /** When set, only the nonces read fails (the gate then delivers on confirmation only). */
  noncesDown = false;

  async getTransaction(txid: string): Promise<TxLookup> {
    if (this.down) return { type: 'error', detail: 'the Stacks API answered 503' };
    const tx = this.txs.get(txid.replace(/^0x/, ''));
    return tx ? { type: 'found', ...tx } : { type: 'missing' };
  }

  async getNonces(address: string): Promise<NonceLookup> {
    if (this.down || this.noncesDown)
      return { type: 'error', detail: 'the Stacks API answered 503' };
    const lastExecutedNonce = this.nonces.get(address) ?? null;
    const pending = this.pending.get(address) ?? {
      possibleNextNonce: Number.MAX_SAFE_INTEGER,
      missingNonces: [],
    };
    return { type: 'found', lastExecutedNonce, ...pending };
  }

  async getTipHeight(): Promise<TipLookup> {
    if (this.down) return { type: 'error', detail: 'the Stacks node answered 503' };
    return { type: 'found', height: this.tipHeight };
  }
}

/** A fetch that never answers: it rejects with the abort reason once its signal aborts. */
export const hangingFetch: typeof fetch = (_input, init) =>
  new Promise<Response>((_resolve, reject) =>
    init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
  );
