-- What each paid inference call really cost (issue: inference route group). One row per payment of
-- POST /inference/openrouter/chat or /inference/cloudflare/chat, written once the call is over:
-- with the answer (JSON), or when its stream ends. The price asked is the payment's own `price`;
-- this row says what it was computed from and what the upstream reported.
CREATE TABLE inference_usage (
  payment_id        TEXT PRIMARY KEY,        -- payments.payment_id
  provider          TEXT NOT NULL,           -- openrouter | cloudflare
  model             TEXT NOT NULL,           -- openai/gpt-4o-mini, @cf/meta/llama-3.1-8b-instruct
  streamed          INTEGER NOT NULL,        -- 1: answered as server-sent events
  max_tokens        INTEGER NOT NULL,        -- priced, and sent upstream as max_tokens
  estimated_prompt_tokens INTEGER NOT NULL,  -- the quote's estimate from the request
  prompt_tokens     INTEGER,                 -- as the upstream reported them (null: unknown)
  completion_tokens INTEGER,
  quoted_usd        TEXT,                    -- the price in USD (decimal) before rounding to the token; null if unknown
  actual_usd        TEXT,                    -- the upstream cost (decimal): OpenRouter usage.cost, or tokens x price
  token             TEXT NOT NULL,           -- STX | sBTC | USDCx, the token paid with
  actual_amount     TEXT,                    -- actual_usd in that token's atomic units, rounded up
  outcome           TEXT NOT NULL,           -- completed | failed | cancelled
  detail            TEXT,                    -- why it failed
  generation_id     TEXT,                    -- OpenRouter's generation id (gen-...)
  recorded_at       INTEGER NOT NULL         -- unix ms
);
