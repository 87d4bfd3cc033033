-- The payment lifecycle (DESIGN section 5, issue 3): canonical statuses with a recorded history,
-- delivery modes, stored responses for idempotent retries, payment identifiers and payer flags.
--
-- The single-use claim becomes two partial unique indexes over *active* claims: a payment the node
-- definitely rejected is kept (status failed, with its history) but no longer blocks its txid or
-- its payer nonce, which were never spent.

CREATE TABLE payments_v2 (
  payment_id      TEXT PRIMARY KEY,          -- pay_ + 32 hex
  txid            TEXT NOT NULL,             -- 64 hex, no 0x
  network         TEXT NOT NULL,             -- CAIP-2
  payer           TEXT NOT NULL,
  nonce           TEXT NOT NULL,             -- decimal
  route           TEXT NOT NULL,             -- "POST /hashing/sha256"
  token           TEXT NOT NULL,             -- STX | sBTC | USDCx
  asset           TEXT NOT NULL,             -- "STX" or the contract principal
  amount          TEXT NOT NULL,             -- atomic units transferred, decimal
  price           TEXT NOT NULL,             -- atomic units asked, decimal
  pay_to          TEXT NOT NULL,
  settle_order    TEXT NOT NULL,             -- authorization | upfront
  delivery        TEXT NOT NULL,             -- mempool | confirmed
  status          TEXT NOT NULL,             -- queued | broadcasting | mempool | confirmed | failed | replaced | not_found
  claim_active    INTEGER NOT NULL DEFAULT 1,
  terminal_reason TEXT,
  request_hash    TEXT NOT NULL,             -- sha256 of method, path, query, body, payer, requirement
  served          INTEGER NOT NULL DEFAULT 0, -- the handler ran for this payment
  collectable     INTEGER NOT NULL DEFAULT 0, -- a 202 was answered: a retry with the same payment collects
  delivered_at    INTEGER,                   -- the content went to the caller
  owed_amount     TEXT,                      -- charged but the handler failed (upfront): owed to the payer
  block_height    INTEGER,
  created_at      INTEGER NOT NULL,          -- unix ms
  updated_at      INTEGER NOT NULL,
  settled_at      INTEGER,
  confirmed_at    INTEGER
);

INSERT INTO payments_v2 (payment_id, txid, network, payer, nonce, route, token, asset, amount, price,
  pay_to, settle_order, delivery, status, request_hash, served, delivered_at, owed_amount,
  created_at, updated_at, settled_at)
SELECT payment_id, txid, network, payer, nonce, route, token, asset, amount, price, pay_to,
  settle_order, 'mempool',
  CASE status WHEN 'claimed' THEN 'queued' WHEN 'settle_unknown' THEN 'broadcasting' ELSE status END,
  '', 1, CASE status WHEN 'mempool' THEN settled_at END, owed_amount, created_at, updated_at, settled_at
FROM payments;

DROP TABLE payments;
ALTER TABLE payments_v2 RENAME TO payments;

CREATE UNIQUE INDEX payments_active_txid ON payments (txid) WHERE claim_active = 1;
CREATE UNIQUE INDEX payments_active_nonce ON payments (network, payer, nonce) WHERE claim_active = 1;
CREATE INDEX payments_by_txid ON payments (txid);
CREATE INDEX payments_by_payer ON payments (payer, created_at);

-- Every transition of every payment: the `history` of GET /payment-status.
CREATE TABLE payment_events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  payment_id TEXT NOT NULL,
  status     TEXT NOT NULL,
  reason     TEXT,
  at         INTEGER NOT NULL
);
CREATE INDEX payment_events_by_payment ON payment_events (payment_id, id);

-- The answer a payment bought, kept so that a retry collects it instead of paying or running again.
CREATE TABLE payment_responses (
  payment_id   TEXT PRIMARY KEY,
  status       INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  body         TEXT NOT NULL,
  created_at   INTEGER NOT NULL
);

-- x402 payment-identifier: one logical request per (network, payer, id).
CREATE TABLE payment_identifiers (
  network      TEXT NOT NULL,
  payer        TEXT NOT NULL,
  id           TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  payment_id   TEXT,                         -- null while the first request is in flight
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (network, payer, id)
);

-- Payers whose delivered payment later failed or was replaced: served on confirmation only.
CREATE TABLE payer_flags (
  network    TEXT NOT NULL,
  payer      TEXT NOT NULL,
  payment_id TEXT NOT NULL,
  reason     TEXT NOT NULL,
  flagged_at INTEGER NOT NULL,
  PRIMARY KEY (network, payer)
);
