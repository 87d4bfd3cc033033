/**
 * The three routes' declarations produce an OpenAPI 3.1 document (DESIGN section 6: docs come
 * from the same zod schemas), with their examples, and the recursive Clarity JSON schema.
 */
import { describe, expect, it } from 'vitest';
import { testApp } from '../../../test/worker/support/app';
import { stacksAddressRoute } from './address';
import { decodeClarityRoute } from './decode-clarity';
import { decodeTransactionRoute } from './decode-transaction';

describe('OpenAPI for the stacks decoders', () => {
  it('documents each route with its tag, parameters, body and response examples', () => {
    const { app } = testApp([stacksAddressRoute, decodeClarityRoute, decodeTransactionRoute]);
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    const address = doc.paths?.['/stacks/address/{address}']?.get;
    expect(address?.tags).toEqual(['Stacks']);
    expect(address?.parameters?.map((p) => ('name' in p ? p.name : ''))).toEqual([
      'address',
      'targetNetwork',
    ]);
    const clarity = doc.paths?.['/stacks/decode/clarity']?.post;
    const transaction = doc.paths?.['/stacks/decode/transaction']?.post;
    expect(clarity?.tags).toEqual(['Stacks']);
    expect(transaction?.tags).toEqual(['Stacks']);
    const schemas = doc.components?.schemas ?? {};
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'StacksAddress',
        'DecodeClarityRequest',
        'DecodedClarityValue',
        'ClarityValueJson',
        'DecodeTransactionRequest',
        'DecodedTransaction',
      ]),
    );
    expect(JSON.stringify(doc)).toContain('(tuple (a u1) (b none))');
  });
});
