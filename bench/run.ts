/**
 * `npm run bench`: CPU cost of the payment hot path in Node (quick, but Node overstates workerd
 * by about 2×), then the figures that count, measured in workerd in one run
 * (bench/workerd-bench.ts: `wrangler dev` and the devnet, started and stopped here): the
 * end-to-end latency a paid call adds over a free one, and one table with verification µs, the
 * 402 and paid-call ratios, D1 round trips per paid call, bundle gzip size and start-up CPU.
 * `npm run bench -- --micro-only` stops after the Node figures; `-- --no-latency` skips the
 * end-to-end latency rounds. Prints figures; asserts nothing (performance targets are read from
 * here, never from tests).
 */
import {
  Cl,
  makeContractCall,
  makeSTXTokenTransfer,
  Pc,
  serializeTransaction,
} from '@stacks/transactions';
import { parseServiceConfig } from '../src/config';
import { decodeBase64Json, encodeBase64Json } from '../src/payment/header-codec';
import {
  buildAccepts,
  buildPaymentRequired,
  findMatchingRequirement,
} from '../src/payment/requirements';
import { HASH_ALGORITHMS } from '../src/routes/hashing/algorithms';
import { verifyStacksPayment } from '../src/stacks/verify-payment';
import { benchInWorkerd } from './workerd-bench';

const PAYER_KEY = '7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801';
const PAYER = 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5';
const SBTC = 'ST1F7QA2MDF17S807EPA36TSS8AMEFY4KA9TVGWXT.sbtc-token';

function measure(name: string, run: () => unknown, minMs = 1000): void {
  for (let i = 0; i < 50; i++) run();
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 20; i++) run();
    iterations += 20;
    elapsed = performance.now() - start;
  }
  const perOp = (elapsed * 1000) / iterations;
  console.log(
    `${name.padEnd(44)} ${perOp.toFixed(1).padStart(9)} µs/op ${Math.round(1e6 / perOp)
      .toString()
      .padStart(9)} ops/s`,
  );
}

const result = parseServiceConfig({
  NETWORK: 'testnet',
  PAY_TO: 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP',
  STACKS_API_URL: 'http://127.0.0.1:3999',
  PRICE_STANDARD_STX: '1000',
  PRICE_STANDARD_SBTC: '2',
  PRICE_STANDARD_USDCX: '1000',
});
if (!result.ok) throw new Error(result.problems.join('; '));
const config = result.config;
const accepts = buildAccepts(config, 'standard', config.standardPrices);

const stx = await makeSTXTokenTransfer({
  recipient: config.payTo,
  amount: 1000n,
  senderKey: PAYER_KEY,
  network: 'testnet',
  fee: 500n,
  nonce: 0n,
});
const sbtc = await makeContractCall({
  contractAddress: SBTC.split('.')[0],
  contractName: 'sbtc-token',
  functionName: 'transfer',
  functionArgs: [Cl.uint(2), Cl.principal(PAYER), Cl.principal(config.payTo), Cl.none()],
  postConditionMode: 'deny',
  postConditions: [Pc.principal(PAYER).willSendEq(2).ft(SBTC, 'sbtc-token')],
  senderKey: PAYER_KEY,
  network: 'testnet',
  fee: 500n,
  nonce: 0n,
});
const stxHex = serializeTransaction(stx);
const sbtcHex = serializeTransaction(sbtc);
const header = encodeBase64Json({
  x402Version: 2,
  accepted: accepts[0],
  payload: { transaction: stxHex },
});

console.log(
  `node ${process.version}, one core; figures are per operation on this machine (Node, not workerd)\n`,
);
measure('buildAccepts + PaymentRequired + encode', () =>
  encodeBase64Json(
    buildPaymentRequired({
      resourceUrl: 'http://x/hashing/sha256',
      accepts: buildAccepts(config, 'standard', config.standardPrices),
    }),
  ),
);
measure('decode payment header + match accepted', () => {
  const decoded = decodeBase64Json(header);
  if (!decoded.ok) throw new Error(decoded.reason);
  return findMatchingRequirement((decoded.value as { accepted: unknown }).accepted, accepts);
});
measure('verifyStacksPayment (STX transfer)', () => {
  const outcome = verifyStacksPayment({
    transactionHex: stxHex,
    requirement: accepts[0],
    token: 'STX',
    network: 'testnet',
    maxBytes: 4096,
  });
  if (outcome.type !== 'verified') throw new Error(outcome.detail);
});
measure('verifyStacksPayment (sBTC SIP-010 transfer)', () => {
  const outcome = verifyStacksPayment({
    transactionHex: sbtcHex,
    requirement: accepts[1],
    token: 'sBTC',
    network: 'testnet',
    maxBytes: 4096,
  });
  if (outcome.type !== 'verified') throw new Error(outcome.detail);
});
const kib = new Uint8Array(1024).fill(7);
for (const [name, { digest }] of Object.entries(HASH_ALGORITHMS))
  measure(`${name} of 1 KiB`, () => digest(kib), 300);

if (process.argv.includes('--micro-only')) process.exit(0);
await benchInWorkerd({ latencyRounds: !process.argv.includes('--no-latency') });
