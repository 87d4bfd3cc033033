import type { SettleOutcome, Settler } from '../../../src/payment/settler';
import type { VerifiedPayment } from '../../../src/payment/types';

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
