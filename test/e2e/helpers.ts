/**
 * Small steps the end-to-end tests repeat: reading a 402, signing a payment for it from a devnet
 * account, devnet balances and faults, and the Worker's payment status.
 */
import { buildPaymentTransaction } from '../../client';
import { type DevnetAccountName, getDevnetAccount } from '../../devnet/accounts';
import { decodeBase64Json, encodeBase64Json } from '../../src/payment/header-codec';
import type { PaymentRequired, PaymentRequirements } from '../../src/payment/protocol';
import { assetIdFor, TOKENS, type TokenType } from '../../src/stacks/tokens';

export const PAY_TO = 'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP';
export const HELLO_WORLD_SHA256 =
  '0xb94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9';

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

export async function requirementFor(
  url: string,
  body: unknown,
  token: TokenType = 'STX',
): Promise<PaymentRequirements> {
  const res = await postJson(url, body);
  await res.body?.cancel();
  const decoded = decodeBase64Json(res.headers.get('payment-required') ?? '');
  if (!decoded.ok) throw new Error(`no 402 from ${url}: ${res.status}`);
  const requirement = (decoded.value as PaymentRequired).accepts.find(
    (a) => a.extra.tokenType === token,
  );
  if (!requirement) throw new Error(`no ${token} requirement`);
  return requirement;
}

export async function nextNonce(devnetUrl: string, address: string): Promise<bigint> {
  const res = await fetch(`${devnetUrl}/extended/v1/address/${address}/nonces`);
  return BigInt(((await res.json()) as { possible_next_nonce: number }).possible_next_nonce);
}

export interface SignedPayment {
  header: string;
  txid: string;
  payer: string;
  nonce: bigint;
}

/** Signs a payment of `requirement` from a devnet account; the header carries an optional payment-identifier. */
export async function signPayment(
  devnetUrl: string,
  account: DevnetAccountName,
  requirement: PaymentRequirements,
  options: { nonce?: bigint; fee?: bigint; paymentIdentifier?: string } = {},
): Promise<SignedPayment> {
  const { address, privateKey } = await getDevnetAccount(account);
  const nonce = options.nonce ?? (await nextNonce(devnetUrl, address));
  const signed = await buildPaymentTransaction(
    {
      requirement,
      tokenType: requirement.extra.tokenType as TokenType,
      network: 'testnet',
      privateKey,
      payer: address,
      nonce,
    },
    { fee: options.fee ?? 400n },
  );
  const extensions = options.paymentIdentifier
    ? { 'payment-identifier': { info: { id: options.paymentIdentifier } } }
    : undefined;
  const header = encodeBase64Json({
    x402Version: 2,
    accepted: requirement,
    payload: { transaction: signed.hex },
    extensions,
  });
  return { header, txid: signed.txid, payer: address, nonce };
}

interface Balances {
  stx: { balance: string };
  fungible_tokens: Record<string, { balance: string }>;
}

export async function balanceOf(
  devnetUrl: string,
  address: string,
  token: TokenType,
): Promise<bigint> {
  const balances = (await (
    await fetch(`${devnetUrl}/extended/v1/address/${address}/balances`)
  ).json()) as Balances;
  if (token === 'STX') return BigInt(balances.stx.balance);
  const ft = TOKENS[token].contract?.testnet;
  return BigInt(
    balances.fungible_tokens[`${assetIdFor(token, 'testnet')}::${ft?.assetName}`]?.balance ?? '0',
  );
}

export async function armFault(devnetUrl: string, fault: Record<string, unknown>): Promise<void> {
  const res = await postJson(`${devnetUrl}/devnet/faults`, fault);
  if (!res.ok)
    throw new Error(`arming ${JSON.stringify(fault)} failed: ${res.status} ${await res.text()}`);
}

export interface PaymentStatusBody {
  paymentId: string;
  status: string;
  terminalReason?: string;
  txid: string;
  amount: string;
  asset: string;
  payer: string;
  owedAmount?: string;
  blockHeight?: number;
  delivery: 'mempool' | 'confirmed';
  delivered: boolean;
  history: { status: string; at: string; reason?: string }[];
}

export async function paymentStatus(
  workerUrl: string,
  paymentId: string,
): Promise<PaymentStatusBody> {
  const res = await fetch(`${workerUrl}/payment-status/${paymentId}`);
  if (res.status !== 200)
    throw new Error(`payment-status ${paymentId}: ${res.status} ${await res.text()}`);
  return (await res.json()) as PaymentStatusBody;
}

/** Polls the payment status until `done` holds (or throws after `timeoutMs`). */
export async function waitForPaymentStatus(
  workerUrl: string,
  paymentId: string,
  done: (status: PaymentStatusBody) => boolean,
  timeoutMs = 30_000,
): Promise<PaymentStatusBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await paymentStatus(workerUrl, paymentId);
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`payment ${paymentId} stayed ${status.status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
