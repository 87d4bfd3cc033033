/**
 * The verification routes document themselves: their zod schemas (refinements, unions, optional
 * signer fields) turn into an OpenAPI 3.1 document, from which /docs and the bazaar metadata come.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../env';
import { verifyMessageRoute } from './verify-message';
import { verifySip018Route } from './verify-sip018';

describe('OpenAPI document of the verification routes', () => {
  it('generates request and response schemas for both routes', () => {
    const app = new OpenAPIHono<AppEnv>();
    for (const { route, handler } of [verifyMessageRoute, verifySip018Route]) {
      app.openapi(route, handler as never);
    }
    const doc = app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'test', version: '0' },
    });
    const schemas = doc.components?.schemas ?? {};
    expect(Object.keys(schemas).sort()).toEqual([
      'Error',
      'Sip018Domain',
      'VerifyMessageRequest',
      'VerifyMessageResponse',
      'VerifySip018Request',
      'VerifySip018Response',
    ]);
    const request = schemas.VerifySip018Request as { required: string[]; properties: object };
    expect(request.required).toEqual(['domain', 'message', 'signature']);
    expect(Object.keys(request.properties)).toEqual([
      'domain',
      'message',
      'signature',
      'publicKey',
      'address',
    ]);
    const response = schemas.VerifyMessageResponse as { required: string[] };
    expect(response.required).toEqual(['valid', 'publicKey', 'address', 'network', 'messageHash']);
    expect(Object.keys(doc.paths ?? {})).toEqual([
      '/stacks/verify/message',
      '/stacks/verify/sip018',
    ]);
  });
});
