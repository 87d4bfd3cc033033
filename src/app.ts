/**
 * Assembles the Hono app: canonical paths, CORS, the body limit, error shapes, and every route of
 * the registry. Settlement is injected so tests can use a fake settler; production uses the node.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { startTracking } from './durable-objects/payment-tracker';
import type { AppEnv } from './env';
import { canonicalRequestPath } from './http/path';
import type { PaymentDeps } from './payment/gate';
import {
  LEGACY_PAYMENT_HEADER,
  PAYER_ADDRESS_HEADER,
  PAYMENT_ID_HEADER,
  PAYMENT_REQUIRED_HEADER,
  PAYMENT_RESPONSE_HEADER,
  PAYMENT_SIGNATURE_HEADER,
  PAYMENT_STATUS_URL_HEADER,
  TOKEN_TYPE_HEADER,
  TRANSACTION_ID_HEADER,
} from './payment/protocol';
import { ROUTES } from './routes';
import { COST_HEADER } from './routes/inference/responses';
import { type ApiRoute, mountRoutes } from './routes/registry';
import { FacilitatorSettler } from './stacks/facilitator-settler';
import { NodeSettler } from './stacks/node-settler';
import { StacksApi } from './stacks/stacks-api';

/** Largest request body we read (a hash input of 96 KiB written as 0x-hex fits). */
export const MAX_BODY_BYTES = 196_608;

export const defaultPaymentDeps: PaymentDeps = {
  settlerFor: (config) =>
    config.settlementMode === 'facilitator' && config.facilitatorUrl
      ? new FacilitatorSettler({
          facilitatorUrl: config.facilitatorUrl,
          timeoutMs: config.broadcastTimeoutMs,
        })
      : new NodeSettler({
          stacksApiUrl: config.stacksApiUrl,
          timeoutMs: config.broadcastTimeoutMs,
        }),
  startTracking,
  chainFor: (config) => new StacksApi({ baseUrl: config.stacksApiUrl }),
};

const HTTP_ERROR_CODES: Record<number, string> = {
  400: 'invalid_json',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

export interface AppOptions {
  deps?: PaymentDeps;
  /** The route registry to mount; tests may add routes of their own. */
  routes?: readonly ApiRoute[];
}

export function createApp({
  deps = defaultPaymentDeps,
  routes = ROUTES,
}: AppOptions = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    getPath: canonicalRequestPath,
    defaultHook: (result, c) => {
      if (result.success) return;
      const issues = result.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
        ...('params' in issue && issue.params?.code ? { code: String(issue.params.code) } : {}),
      }));
      const first = issues[0];
      // A size limit checked by a schema marks its issue `params: {status: 413}`; all else is 400.
      const firstIssue = result.error.issues[0];
      const status =
        firstIssue && 'params' in firstIssue && firstIssue.params?.status === 413 ? 413 : 400;
      return c.json(
        {
          code: first?.code ?? 'invalid_request',
          message: `The request is invalid (nothing was charged): ${first ? `${first.path || 'body'}: ${first.message}` : 'it does not match the schema'}.`,
          issues,
        },
        status,
      );
    },
  });

  app.use(
    '*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
      allowHeaders: [
        PAYMENT_SIGNATURE_HEADER,
        LEGACY_PAYMENT_HEADER,
        TOKEN_TYPE_HEADER,
        'content-type',
      ],
      exposeHeaders: [
        PAYMENT_REQUIRED_HEADER,
        PAYMENT_RESPONSE_HEADER,
        PAYMENT_ID_HEADER,
        TRANSACTION_ID_HEADER,
        PAYER_ADDRESS_HEADER,
        PAYMENT_STATUS_URL_HEADER,
        COST_HEADER,
        'retry-after',
      ],
      maxAge: 86_400,
    }),
  );
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(
          {
            code: 'payload_too_large',
            message: `The request body is larger than ${MAX_BODY_BYTES} bytes; send less data (nothing was charged).`,
          },
          413,
        ),
    }),
  );

  // The discovery documents describe exactly the routes this app serves (tests may add some).
  app.use('*', async (c, next) => {
    c.set('routes', routes);
    await next();
  });
  mountRoutes(app, routes, deps);

  app.notFound((c) =>
    c.json(
      {
        code: 'not_found',
        message: `No route matches ${c.req.method} ${new URL(c.req.url).pathname}; GET / lists every route (nothing was charged).`,
      },
      404,
    ),
  );
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      const code = HTTP_ERROR_CODES[status] ?? 'http_error';
      const message =
        code === 'invalid_json'
          ? 'The request body is not valid JSON (nothing was charged).'
          : code === 'unsupported_media_type'
            ? 'Send the request body as application/json (nothing was charged).'
            : `${error.message} (nothing was charged).`;
      return c.json({ code, message }, status);
    }
    console.error('unhandled error', error);
    return c.json(
      {
        code: 'internal_error',
        message: 'An unexpected error occurred; nothing was charged. Try again.',
      },
      500,
    );
  });

  return app;
}
