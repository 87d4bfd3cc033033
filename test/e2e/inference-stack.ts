/**
 * What the inference end-to-end files share: the processes (the devnet, the Workers AI and
 * OpenRouter stand-ins, `wrangler dev` pointed at them), a paid request sent as raw HTTP (so a test
 * can read an event stream as it arrives), and a payment's recorded `usage`.
 */
import { afterAll, beforeAll } from 'vitest';
import type { DevnetAccountName } from '../../devnet/accounts';
import type { UsageView } from '../../src/inference/usage-view';
import type { PaymentRequirements } from '../../src/payment/protocol';
import {
  type RunningProcess,
  startAiStandinProcess,
  startDevnetProcess,
  startOpenRouterStandinProcess,
  startWorkerProcess,
  type WorkerProcess,
} from '../support';
import {
  type PaymentStatusBody,
  postJson,
  requirementFor,
  signPayment,
  waitForPaymentStatus,
} from './helpers';

export interface InferenceStack {
  devnet: RunningProcess;
  ai: RunningProcess;
  /** Its origin; the Worker's OPENROUTER_API_URL is `${url}/api/v1`. */
  openrouter: RunningProcess;
  worker: WorkerProcess;
}

/** The stack of a test file: started before its tests, stopped after them; `vars` add to the Worker's. */
export function inferenceStackForTests(vars: Record<string, string> = {}): InferenceStack {
  const stack = {} as InferenceStack;
  beforeAll(async () => {
    const [devnet, ai, openrouter] = await Promise.all([
      startDevnetProcess({ blockTimeMs: 500 }),
      startAiStandinProcess(),
      startOpenRouterStandinProcess(),
    ]);
    Object.assign(stack, { devnet, ai, openrouter });
    stack.worker = await startWorkerProcess({
      vars: {
        STACKS_API_URL: devnet.url,
        WORKERS_AI_URL: ai.url,
        OPENROUTER_API_URL: `${openrouter.url}/api/v1`,
        OPENROUTER_API_KEY: 'sk-or-test',
        ...vars,
      },
    });
  });
  afterAll(async () => {
    await stack.worker?.stop();
    await Promise.all([stack.devnet?.stop(), stack.ai?.stop(), stack.openrouter?.stop()]);
  });
  return stack;
}

export interface PaidResponse {
  response: Response;
  requirement: PaymentRequirements;
  paymentId: string;
}

/** The 402 for `body`, its STX requirement paid from `account`, and the paid request sent. */
export async function payAndPost(
  stack: InferenceStack,
  path: string,
  body: unknown,
  account: DevnetAccountName,
): Promise<PaidResponse> {
  const url = `${stack.worker.url}${path}`;
  const requirement = await requirementFor(url, body);
  const payment = await signPayment(stack.devnet.url, account, requirement);
  const response = await postJson(url, body, { 'payment-signature': payment.header });
  return { response, requirement, paymentId: response.headers.get('x-payment-id') ?? '' };
}

export type StatusWithUsage = PaymentStatusBody & { usage?: UsageView };

/** The payment's status once its usage is recorded (a stream's when it has ended). */
export async function statusWithUsage(
  stack: InferenceStack,
  paymentId: string,
): Promise<StatusWithUsage & { usage: UsageView }> {
  return (await waitForPaymentStatus(
    stack.worker.url,
    paymentId,
    (status) => (status as StatusWithUsage).usage !== undefined,
  )) as StatusWithUsage & { usage: UsageView };
}
