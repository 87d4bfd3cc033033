/**
 * Payment error codes: the one list. Codes reuse the x402 and Stacks relay vocabulary where it has
 * a word for the failure (DESIGN section 3), so existing clients classify them; the others name a
 * check of DESIGN section 4 that the vocabulary has no word for.
 */
export const PAYMENT_ERROR_MESSAGES = {
  payment_required:
    'This route is paid: sign one of the `accepts` entries and retry with a `payment-signature` header.',
  invalid_payload: 'The payment header is not base64 JSON of an x402 PaymentPayload.',
  invalid_x402_version: 'Only x402Version 2 is supported.',
  invalid_scheme: 'Only the "exact" scheme is supported.',
  invalid_payment_requirements:
    '`accepted` does not equal any of the requirements this route offers now; copy one from the latest 402 verbatim.',
  invalid_transaction: 'payload.transaction is not a hex-encoded Stacks transaction.',
  non_canonical_transaction:
    'payload.transaction has bytes after the transaction (it must re-serialise to exactly the input).',
  transaction_too_large: 'payload.transaction is larger than any payment transaction needs to be.',
  invalid_network:
    'The transaction is for another Stacks network than the one this route is priced on.',
  unsupported_signer:
    'Only single-signature origins can pay; multi-signature transactions are not accepted.',
  signature_validation_failed: 'The transaction signature does not verify.',
  sponsored_not_allowed: 'Sponsored transactions are not accepted: the payer pays its own fee.',
  fee_too_low: 'The transaction fee is below the network minimum of 1 microSTX per byte.',
  unrecognized_asset: 'The transaction does not transfer the asset named in `accepted`.',
  invalid_transfer_call:
    'The token transfer call must be `transfer` with (uint amount, sender, recipient, optional memo of at most 34 bytes).',
  recipient_mismatch: 'The transaction does not pay the `payTo` address.',
  amount_insufficient: 'The transaction pays less than the price.',
  sender_mismatch: 'The `sender` argument of the transfer is not the transaction signer.',
  invalid_post_conditions:
    'Post-conditions must fix the payment: a STX transfer in deny mode with none; a token transfer in deny mode with exactly one (the payer sends exactly the amount of the asset), or in allow mode with none.',
  payment_already_used:
    'This payment (or another transaction with the same payer nonce) has already been presented.',
  insufficient_funds: 'The payer cannot cover the amount and fee.',
  client_bad_nonce: 'The transaction nonce is not the payer’s next nonce.',
  conflicting_nonce: 'Another transaction with the same nonce is already in the mempool.',
  too_many_pending:
    'The payer already has as many transactions pending in the mempool as a node accepts from one account (25); wait for a block to mine some, then pay again.',
  broadcast_failed: 'The Stacks node rejected the transaction.',
  transaction_failed:
    'The payment transaction did not complete on chain, so the result is withheld; pay again with a new transaction.',
  payment_identifier_required:
    'This server requires a payment-identifier: put extensions["payment-identifier"].info.id in the payment payload.',
  unexpected_settle_error: 'Settlement did not complete; the payment was not charged.',
} as const;

export type PaymentErrorCode = keyof typeof PAYMENT_ERROR_MESSAGES;

export const SERVICE_MISCONFIGURED = 'service_misconfigured';
