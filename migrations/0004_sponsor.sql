-- Sponsored payments (issue 11): what the Worker's sponsor spent on each payment it sponsored.
-- One row per payment whose sponsored transaction was broadcast (accepted, or with an unknown
-- outcome: the nonce and fee may be spent). A payment refused at broadcast has no row (its sponsor
-- nonce was given back). Payments a facilitator sponsored are not here: the facilitator paid.
CREATE TABLE sponsored_payments (
  payment_id    TEXT PRIMARY KEY,            -- payments.payment_id
  origin_txid   TEXT NOT NULL,               -- txid of the bytes the payer signed (fee 0, placeholder sponsor)
  sponsor       TEXT NOT NULL,               -- the sponsor's address
  sponsor_nonce INTEGER NOT NULL,
  fee           TEXT NOT NULL,               -- microSTX the sponsor pays, decimal
  recorded_at   INTEGER NOT NULL             -- unix ms
);
CREATE INDEX sponsored_payments_by_sponsor ON sponsored_payments (sponsor, sponsor_nonce);
