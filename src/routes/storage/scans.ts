/**
 * Scans of written content: every KV value, paste and memory text is given to Llama Guard
 * (`AiClient.moderate`) after its write has been answered, never delaying or failing the write;
 * the verdict is kept in the owner's Durable Object (durable-objects/payer-store/scans.ts), and
 * `GET /storage/scans` reads it, for the owner only.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AiClient, AiError, aiClientFor } from '../../ai';
import type { PayerStore } from '../../durable-objects/payer-store';
import {
  SCAN_KINDS,
  type ScanKind,
  type ScanStart,
  type ScanVerdict,
} from '../../durable-objects/payer-store/scans';
import type { AppEnv } from '../../env';
import { afterAnswer } from '../../http/after-answer';
import { ErrorSchema, errorResponses } from '../../schemas/errors';
import { STORAGE_LIMITS } from '../../storage/limits';
import { defineRoute, STANDARD } from '../registry';
import { utf8Length } from './kv-keys';
import { invalid } from './kv-schemas';
import { storeOf } from './payer';
import { iso, json } from './payer-store-routes';

/** Moderation calls one write's scans make at once (a memory store may bring 100 texts). */
const SCAN_CONCURRENCY = 4;

/** What was just written, to be scanned. */
export interface ScanTarget {
  kind: ScanKind;
  id: string;
  /** The stored KV key of a KV value or paste (its quota row); null for a memory item. */
  contentKey: string | null;
  text: string;
}

/**
 * Scans `targets` after the answer (`waitUntil`). Never throws: a failure to scan is recorded as
 * the scan's `error` status where it can be, and logged where it cannot.
 */
export function scanAfterWrite(c: Context<AppEnv>, targets: ScanTarget[]): Promise<void> {
  if (targets.length === 0) return Promise.resolve();
  let work: Promise<void>;
  try {
    work = scanContent(storeOf(c), aiClientFor(c.env), targets);
  } catch (error) {
    work = Promise.reject(error);
  }
  return afterAnswer(c, work, 'scanning written content');
}

async function scanContent(
  store: DurableObjectStub<PayerStore>,
  ai: AiClient,
  targets: ScanTarget[],
): Promise<void> {
  const starts: ScanStart[] = targets.map(({ kind, id, contentKey }) => ({
    kind,
    id,
    contentKey,
    scan: crypto.randomUUID(),
  }));
  await store.beginScans(starts, Date.now());
  const verdicts: ScanVerdict[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const at = next++;
      const { kind, id, scan } = starts[at];
      verdicts[at] = { kind, id, scan, ...(await moderate(ai, targets[at].text)) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, targets.length) }, worker));
  await store.finishScans(verdicts);
}

async function moderate(
  ai: AiClient,
  text: string,
): Promise<Pick<ScanVerdict, 'status' | 'flags' | 'reason' | 'scannedAt'>> {
  if (text.trim() === '') {
    return {
      status: 'safe',
      flags: [],
      reason: 'Nothing to scan: the text is empty.',
      scannedAt: Date.now(),
    };
  }
  try {
    const verdict = await ai.moderate(text);
    return {
      status: verdict.safe ? 'safe' : 'flagged',
      flags: verdict.flags,
      reason: verdict.reason,
      scannedAt: Date.now(),
    };
  } catch (error) {
    const why =
      error instanceof AiError
        ? ` (${error.code}): ${error.message}`
        : ': an unexpected error occurred.';
    return {
      status: 'error',
      flags: [],
      reason: `The scan could not run${why} Write the content again to scan it again.`,
      scannedAt: Date.now(),
    };
  }
}

const isScanKind = (kind: string): kind is ScanKind =>
  (SCAN_KINDS as readonly string[]).includes(kind);

const ScanQuerySchema = z.object({
  kind: z
    .string()
    .superRefine((kind, ctx) => {
      if (!isScanKind(kind)) invalid(ctx, 'invalid_kind', 'kind must be kv, paste or memory');
    })
    .openapi({
      enum: [...SCAN_KINDS],
      param: { name: 'kind', in: 'query' },
      description:
        'kv: a `/storage/kv` key; paste: a paste id; memory: a `/storage/memory` item id.',
      example: 'kv',
    }),
  id: z
    .string()
    .superRefine((id, ctx) => {
      const bytes = utf8Length(id);
      if (bytes === 0 || bytes > STORAGE_LIMITS.kv.keyBytes) {
        invalid(ctx, 'invalid_id', `id must be 1 to ${STORAGE_LIMITS.kv.keyBytes} bytes`);
      }
    })
    .openapi({
      param: { name: 'id', in: 'query' },
      description: 'The key, paste id or item id, as written (URL-encoded).',
      example: 'settings/theme',
    }),
});

export const ScanSchema = z
  .object({
    kind: z.enum(SCAN_KINDS),
    id: z.string(),
    status: z.enum(['pending', 'safe', 'flagged', 'error']).openapi({
      description:
        'pending: not finished yet; safe; flagged: see `flags`; error: the scan could not run (see `reason`).',
    }),
    flags: z.array(z.string()).openapi({
      description:
        'Llama Guard 3 hazard categories (`violent_crimes`, `hate`, …); empty unless flagged.',
    }),
    reason: z.string().nullable().openapi({ description: 'A sentence; null while pending.' }),
    scannedAt: z.string().nullable().openapi({ description: 'ISO 8601; null while pending.' }),
  })
  .openapi('Scan', {
    example: {
      kind: 'kv',
      id: 'settings/theme',
      status: 'flagged',
      flags: ['violent_crimes'],
      reason: 'Flagged as unsafe: Violent Crimes (S1).',
      scannedAt: '2026-11-01T12:00:00.000Z',
    },
  });

export const scanRoute = defineRoute({
  route: createRoute({
    method: 'get',
    path: '/storage/scans',
    tags: ['Storage: scans'],
    summary: 'Read the scan of something you wrote',
    description:
      'Every KV value, paste and memory text you write is scanned by Llama Guard 3 after the write is answered (the write never waits for it, nor fails with it). This is the verdict of the latest write of that content: `pending`, `safe`, `flagged` with its hazard categories, or `error` when the scan could not run. Only the owner reads it; a scan of content that is not yours, is gone, or whose scan has not started yet is a 404 `scan_not_found`, never charged.',
    request: { query: ScanQuerySchema },
    responses: {
      200: { description: 'The scan', content: json(ScanSchema) },
      404: { description: '`scan_not_found` (never charged)', content: json(ErrorSchema) },
      ...errorResponses,
    },
  }),
  pricing: STANDARD,
  handler: async (c) => {
    const { kind, id } = c.req.valid('query');
    const scan = await storeOf(c).readScan(kind as ScanKind, id, Date.now());
    if (!scan) {
      return c.json(
        {
          code: 'scan_not_found',
          message:
            'No scan is recorded for this content: it is not yours, it is gone, or its scan has not started yet; nothing was charged.',
        },
        404,
      );
    }
    return c.json(
      {
        kind: scan.kind,
        id: scan.id,
        status: scan.status,
        flags: scan.flags,
        reason: scan.reason,
        scannedAt: scan.scannedAt === null ? null : iso(scan.scannedAt),
      },
      200,
    );
  },
});

export const scanRoutes = [scanRoute];
