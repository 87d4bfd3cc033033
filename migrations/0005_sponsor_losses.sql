-- Sponsored payments behind a gap in the sponsor's nonces (the sponsor nonce gap fix).
--
-- origin_txid: for a sponsored payment, the txid of the bytes the payer signed (NULL otherwise).
-- For a payment our Worker sponsors, `txid` is the sponsored one from the start; for one a
-- facilitator sponsors, `txid` equals `origin_txid` until the facilitator reports its own txid,
-- and while they are equal the tracker cannot tell the sponsored version of the payer's own
-- transaction from another one, so it never calls the payment `replaced` for a spent nonce.
--
-- operator_loss: atomic units (decimal, in the payment's token) of an answer delivered for a
-- payment that will not be paid because of our own fault: a sponsored transaction stuck behind a
-- gap in OUR sponsor's nonces. Such a payment ends `failed` with a reason starting
-- `sponsor_nonce_gap:`, and its payer is not marked.
ALTER TABLE payments ADD COLUMN origin_txid TEXT;
ALTER TABLE payments ADD COLUMN operator_loss TEXT;
