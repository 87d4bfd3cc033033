/**
 * Regression (DESIGN section 9): no spelling of a paid path reaches its handler without paying.
 * Each spelling either is the paid route (402 without payment) or is a free 404.
 */
import { describe, expect, it } from 'vitest';
import { canonicalPath } from '../../src/http/path';
import { testApp } from './support/app';

const BODY = { data: 'hello' };

describe('path spellings', () => {
  it.each([
    '/hashing/sha256',
    '//hashing/sha256',
    '/hashing//sha256',
    '/hashing/sha256/',
    '/hashing/sha256//',
    '/hashing/./sha256',
    '/hashing/%2e/sha256',
    '/other/../hashing/sha256',
    '/other/%2e%2e/hashing/sha256',
    '/hashing/%73ha256',
    '/%68ashing/sha256',
  ])('%s is the paid route: 402 without payment', async (path) => {
    const { post } = testApp();
    const res = await post(path, BODY);
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({ code: 'payment_required' });
  });

  it.each([
    '/hashing%2Fsha256',
    '/hashing%2fsha256',
    '/hashing%5Csha256',
    '/HASHING/SHA256',
    '/Hashing/sha256',
    '/hashing/sha256%00',
    '/hashing/sha256.json',
    '/hashing',
  ])('%s is a free 404', async (path) => {
    const { post, settler } = testApp();
    const res = await post(path, BODY);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'not_found' });
    expect(res.headers.get('payment-required')).toBeNull();
    expect(settler.settled).toHaveLength(0);
  });

  it('canonicalises without ever turning an escaped slash into a separator', () => {
    expect(canonicalPath('//a///b//')).toBe('/a/b');
    expect(canonicalPath('/a/%2E%2e/b')).toBe('/b');
    expect(canonicalPath('/../../a')).toBe('/a');
    expect(canonicalPath('/a%2Fb')).toBe('/a%2Fb');
    expect(canonicalPath('/%7Euser/%41')).toBe('/~user/A');
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalPath('')).toBe('/');
  });
});
