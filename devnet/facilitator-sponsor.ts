/**
 * The devnet facilitator as a sponsor relay: a verified sponsored payment (fee 0, sponsored auth)
 * is signed by the configured sponsor account with its next nonce (pending ones counted) and a fee
 * of max(SPONSOR_FEE, 1 µSTX per byte), then admitted like any other transaction.
 */
import { deserializeTransaction, sponsorTransaction } from '@stacks/transactions';
import type { DevnetChain } from './chain.ts';

/** µSTX the facilitator's sponsor pays per sponsored payment (the Worker's local default). */
export const FACILITATOR_SPONSOR_FEE = 1000n;

/** The sponsor's next nonce: after its confirmed ones and everything it has pending. */
function nextNonce(chain: DevnetChain, address: string): bigint {
  const confirmed = chain.book.get(address).nonce;
  const pending = chain.mempool.noncesOf(address).filter((nonce) => nonce >= confirmed);
  return BigInt(pending.length > 0 ? Math.max(...pending) + 1 : confirmed);
}

/** The sponsored bytes, or undefined when the facilitator has no sponsor. */
export async function sponsorForFacilitator(
  chain: DevnetChain,
  transaction: Uint8Array,
): Promise<Uint8Array | undefined> {
  const sponsor = chain.facilitatorSponsor;
  if (!sponsor) return undefined;
  const byLength = BigInt(transaction.length);
  const signed = await sponsorTransaction({
    transaction: deserializeTransaction(Buffer.from(transaction).toString('hex')),
    sponsorPrivateKey: sponsor.privateKey,
    fee: byLength > FACILITATOR_SPONSOR_FEE ? byLength : FACILITATOR_SPONSOR_FEE,
    sponsorNonce: nextNonce(chain, sponsor.address),
  });
  return signed.serializeBytes();
}
