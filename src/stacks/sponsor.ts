/**
 * Signing a verified sponsored payment as its sponsor (SIP-005 "sponsored authorization"): the
 * sponsor's spending condition (its key, nonce and fee) replaces the placeholder the payer left,
 * and the sponsor signs the origin's final sighash. Pure CPU work: fee and nonce are given, so
 * @stacks/transactions calls no network, and signatures are deterministic (RFC 6979), so the same
 * payment with the same nonce always gives the same bytes and txid.
 */
import { deserializeTransaction, sponsorTransaction } from '@stacks/transactions';
import type { SponsorshipConfig } from '../config';
import { bytesToHex } from '../encoding/hex';

export type WorkerSponsor = Extract<SponsorshipConfig, { mode: 'worker' }>;

/** stacks-core `MINIMUM_TX_FEE_RATE_PER_BYTE`. */
const MIN_FEE_RATE_PER_BYTE = 1n;

/**
 * The fee policy: the configured fee, raised to the node's minimum of 1 µSTX per byte for a long
 * transaction, and never above the configured maximum (undefined: too costly to sponsor). The
 * sponsor's spending condition has the placeholder's width, so the length is known before signing.
 */
export function sponsorFeeFor(sponsor: WorkerSponsor, byteLength: number): bigint | undefined {
  const minimum = BigInt(byteLength) * MIN_FEE_RATE_PER_BYTE;
  const fee = sponsor.feeMicroStx > minimum ? sponsor.feeMicroStx : minimum;
  return fee <= sponsor.maxFeeMicroStx ? fee : undefined;
}

export interface SponsoredTransaction {
  bytes: Uint8Array;
  /** 64 hex digits, no 0x. */
  txid: string;
}

/** Completes the origin-signed bytes with the sponsor's condition and signature. */
export async function signAsSponsor(
  originBytes: Uint8Array,
  sponsor: WorkerSponsor,
  fee: bigint,
  nonce: number,
): Promise<SponsoredTransaction> {
  const transaction = deserializeTransaction(bytesToHex(originBytes));
  const signed = await sponsorTransaction({
    transaction,
    sponsorPrivateKey: sponsor.privateKey,
    fee,
    sponsorNonce: BigInt(nonce),
  });
  return { bytes: signed.serializeBytes(), txid: signed.txid() };
}
