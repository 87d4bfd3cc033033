-- The payment ledger (DESIGN section 4 item 8, section 5).
-- One row per payment presented and claimed. The two UNIQUE keys are the single-use claim: a
-- transaction id, and a (network, payer, nonce), can each be claimed once. A claim is deleted again
-- only when nothing was charged (handler failed, or the node rejected the broadcast).
CREATE TABLE payments (
  payment_id   TEXT PRIMARY KEY,            -- pay_ + 32 hex
  txid         TEXT NOT NULL UNIQUE,        -- 64 hex, no 0x
  network      TEXT NOT NULL,               -- CAIP-2: stacks:1 | stacks:2147483648
  payer        TEXT NOT NULL,
  nonce        TEXT NOT NULL,               -- decimal (u64 does not fit a JS number)
  route        TEXT NOT NULL,               -- "POST /hashing/sha256"
  token        TEXT NOT NULL,               -- STX | sBTC | USDCx
  asset        TEXT NOT NULL,               -- "STX" or the contract principal
  amount       TEXT NOT NULL,               -- atomic units actually transferred, decimal
  price        TEXT NOT NULL,               -- atomic units asked, decimal
  pay_to       TEXT NOT NULL,
  settle_order TEXT NOT NULL,               -- authorization | upfront
  status       TEXT NOT NULL,               -- claimed | mempool | settle_unknown
  error_code   TEXT,
  owed_amount  TEXT,                        -- set when a handler failed after settlement (upfront)
  created_at   INTEGER NOT NULL,            -- unix ms
  updated_at   INTEGER NOT NULL,
  settled_at   INTEGER,
  UNIQUE (network, payer, nonce)
);

CREATE INDEX payments_payer ON payments (payer, created_at);
