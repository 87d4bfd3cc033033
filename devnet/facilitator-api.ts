/**
 * The x402 facilitator API on the devnet's port (`GET /supported`, `POST /verify`,
 * `POST /settle`), so the Worker's facilitator settler is tested against real HTTP. `/settle`
 * admits the transaction through the same path as `POST /v2/transactions` (submission.ts), so the
 * broadcast faults apply to it; `reject-settle` makes it fail with a chosen `errorReason`. With a
 * sponsor account configured, a sponsored payment is signed by it first (facilitator-sponsor.ts).
 */
import type { DevnetChain } from './chain.ts';
import { decodeTransaction } from './decoded-tx.ts';
import {
  checkPayment,
  codeForNodeRejection,
  FACILITATOR_NETWORK,
  type PaymentCheck,
  parseFacilitatorRequest,
} from './facilitator.ts';
import { sponsorForFacilitator } from './facilitator-sponsor.ts';
import { type Handler, jsonBody, type Reply } from './http.ts';
import { submitPosted } from './submission.ts';

export const supported: Handler = () => ({
  status: 200,
  json: {
    kinds: [{ x402Version: 2, scheme: 'exact', network: FACILITATOR_NETWORK }],
    extensions: [],
    signers: {},
  },
});

/** `POST /verify`: 200 either way; 400 only for a body that is not a facilitator request. */
export const verify: Handler = async (chain, request) => {
  const parsed = parseFacilitatorRequest(jsonBody(request));
  if (!parsed) return { status: 400, json: { isValid: false, invalidReason: 'invalid_payload' } };
  const check = admissible(chain, await sponsored(chain, checkPayment(parsed, canSponsor(chain))));
  if (check.type === 'invalid') {
    const payer = check.payer ? { payer: check.payer } : {};
    return { status: 200, json: { isValid: false, invalidReason: check.reason, ...payer } };
  }
  return { status: 200, json: { isValid: true, payer: check.payer } };
};

/** `POST /settle`: verify, then admit to the mempool; answers as soon as it is there. */
export const settle: Handler = async (chain, request) => {
  const parsed = parseFacilitatorRequest(jsonBody(request));
  if (!parsed) return failed(400, 'invalid_payload', undefined, '');
  const check = await sponsored(chain, checkPayment(parsed, canSponsor(chain)));
  if (check.type === 'invalid') return failed(200, check.reason, check.payer, '');
  const { payer, txid, transaction } = check;
  const fault = chain.faults.takeSettleFault();
  if (fault) return failed(200, fault.errorReason, payer, txid);

  const submission = submitPosted(chain, transaction, transaction);
  switch (submission.type) {
    case 'hang':
      return { hang: true };
    case 'http-error':
      return {
        status: submission.status,
        text: `devnet fault injection: HTTP ${submission.status}`,
      };
    case 'rejected':
      return failed(200, codeForNodeRejection(submission.reason), payer, submission.txid);
    case 'accepted':
      return {
        status: 200,
        json: {
          success: true,
          payer,
          transaction: `0x${submission.txid}`,
          network: FACILITATOR_NETWORK,
        },
        delayMs: submission.delayMs,
      };
  }
};

const canSponsor = (chain: DevnetChain) => chain.facilitatorSponsor !== undefined;

/** A valid sponsored payment, completed by the facilitator's sponsor (new bytes, new txid). */
async function sponsored(chain: DevnetChain, check: PaymentCheck): Promise<PaymentCheck> {
  if (check.type === 'invalid' || !check.sponsored) return check;
  const transaction = await sponsorForFacilitator(chain, check.transaction);
  if (!transaction) return check;
  return { ...check, transaction, txid: decodeTransaction(transaction).txid };
}

/** A valid payment must also pass the node's admission checks (a dry run: nothing is admitted). */
function admissible(chain: DevnetChain, check: PaymentCheck): PaymentCheck {
  if (check.type === 'invalid') return check;
  const outcome = chain.wouldAdmit(check.transaction);
  if (outcome.type !== 'rejected') return check;
  return {
    type: 'invalid',
    reason: codeForNodeRejection(outcome.rejection.reason),
    detail: `the node would refuse it: ${outcome.rejection.reason}`,
    payer: check.payer,
  };
}

/** A SettlementResponse that says no; `txid` is empty when nothing reached the node. */
function failed(
  status: number,
  errorReason: string,
  payer: string | undefined,
  txid: string,
): Reply {
  return {
    status,
    json: {
      success: false,
      errorReason,
      ...(payer ? { payer } : {}),
      transaction: txid ? `0x${txid}` : '',
      network: FACILITATOR_NETWORK,
    },
  };
}
