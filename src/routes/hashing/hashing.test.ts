/**
 * Hashing test vectors: "", "test", "hello world" and the bytes 0xdeadbeef, for every algorithm.
 * Expected digests come from Python's hashlib (OpenSSL) and, for Keccak-256, from the published
 * Ethereum values; SHA-512/256("test") and hash160("test") are DESIGN section 9's references.
 */
import { describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/worker/support/app';
import { paidJson } from '../../../test/worker/support/paid-request';
import { MAX_BODY_BYTES } from '../../app';
import type { HashAlgorithm } from './algorithms';

const INPUTS = ['', 'test', 'hello world', '0xdeadbeef'] as const;

const VECTORS: Record<HashAlgorithm, readonly string[]> = {
  sha256: [
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    '5f78c33274e43fa9de5659265c1d917e25c03722dcb0b8d27db8d5feaa813953',
  ],
  sha512: [
    'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    'ee26b0dd4af7e749aa1a8ee3c10ae9923f618980772e473f8819a5d4940e0db27ac185f8a0e1d5f84f88bc887fd67b143732c304cc5fa9ad8e6f57f50028a8ff',
    '309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f',
    '1284b2d521535196f22175d5f558104220a6ad7680e78b49fa6f20e57ea7b185d71ec1edb137e70eba528dedb141f5d2f8bb53149d262932b27cf41fed96aa7f',
  ],
  'sha512-256': [
    'c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a',
    '3d37fe58435e0d87323dee4a2c1b339ef954de63716ee79f5747f94d974f913f',
    '0ac561fac838104e3f2e4ad107b4bee3e938bf15f2b15f009ccccd61a913f017',
    'af847b11463faffc0b080d763acb3db3055804a86182c71f166423bfbd4dd62d',
  ],
  keccak256: [
    'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    '9c22ff5f21f0b81b113e63f7db6da94fedef11b2119b4088b89664fb9a3cb658',
    '47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad',
    'd4fd4e189132273036449fc9e11198c739161b4c0116a9a2dccdfa1c492006f1',
  ],
  hash160: [
    'b472a266d0bd89c13706a4132ccfb16f7c3b9fcb',
    'cebaa98c19807134434d107b0d3e5692a516ea66',
    'd7d5ee7824ff93f94c3055af9382c86c68b5ca92',
    'f04df4c4b30d2b7ac6e1ed2445aeb12a9cb4d2ec',
  ],
  ripemd160: [
    '9c1185a5c5e9fc54612808977ee8f548b2258d31',
    '5e52fee47e6b070565f74372468cdc699de89107',
    '98c615784ccb5fe5936fbc0cbe9dfdb408d92f0f',
    '226821c2f5423e11fe9af68bd285c249db2e4b5a',
  ],
};

const INPUT_LENGTHS = [0, 4, 11, 4];

/** Pays for one hash with a fresh nonce and returns the JSON answer. */
const paidHash = (app: TestApp, algorithm: string, body: unknown, nonce: bigint) =>
  paidJson(app, `/hashing/${algorithm}`, { body, payment: { nonce } });

describe('hashing vectors', () => {
  for (const [algorithm, digests] of Object.entries(VECTORS)) {
    it(`${algorithm}: every vector, exactly`, async () => {
      const app = testApp();
      for (const [i, data] of INPUTS.entries()) {
        expect(await paidHash(app, algorithm, { data }, BigInt(i))).toEqual({
          hash: `0x${digests[i]}`,
          algorithm,
          encoding: 'hex',
          inputLength: INPUT_LENGTHS[i],
        });
      }
    });
  }

  it('encodes the digest as base64 on request, and reads hex input case-insensitively', async () => {
    const app = testApp();
    expect(await paidHash(app, 'sha256', { data: 'hello world', encoding: 'base64' }, 0n)).toEqual({
      hash: 'uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=',
      algorithm: 'sha256',
      encoding: 'base64',
      inputLength: 11,
    });
    expect(await paidHash(app, 'hash160', { data: '0XDEADBEEF' }, 1n)).toMatchObject({
      hash: `0x${VECTORS.hash160[3]}`,
    });
  });
});

describe('hashing input validation (free 4xx, before any 402)', () => {
  it.each([
    [{ data: '0xabc' }, 'invalid_hex'],
    [{ data: '0xzz' }, 'invalid_hex'],
    [{ data: '0x 1' }, 'invalid_hex'],
    [{}, 'invalid_request'],
    [{ data: 7 }, 'invalid_request'],
    [{ data: 'x', encoding: 'base58' }, 'invalid_request'],
    [{ data: 'x', enconding: 'hex' }, 'invalid_request'],
  ])('%j is a 400 %s', async (body, code) => {
    const { post } = testApp();
    const res = await post('/hashing/sha256', body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { code: string; message: string };
    expect(json.code).toBe(code);
    expect(json.message).toMatch(/^The request is invalid \(nothing was charged\): /);
  });

  it('says exactly what is wrong with malformed hex', async () => {
    const { post } = testApp();
    expect(await (await post('/hashing/sha256', { data: '0xabc' })).json()).toEqual({
      code: 'invalid_hex',
      message:
        'The request is invalid (nothing was charged): data: data starts with 0x, so it must be hex bytes: an even number of 0-9a-f digits.',
      issues: [
        {
          path: 'data',
          message: 'data starts with 0x, so it must be hex bytes: an even number of 0-9a-f digits',
          code: 'invalid_hex',
        },
      ],
    });
  });

  it('hashes any input whose body fits the one limit (no second, smaller limit on data)', async () => {
    const data = 'a'.repeat(MAX_BODY_BYTES - 100);
    expect(await paidHash(testApp(), 'sha256', { data }, 0n)).toMatchObject({
      inputLength: MAX_BODY_BYTES - 100,
    });
  });

  it('answers 413 for a body over the limit and 415 for a body that is not JSON', async () => {
    const { post, request } = testApp();
    const big = await post('/hashing/sha256', { data: 'a'.repeat(MAX_BODY_BYTES) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      code: 'payload_too_large',
      message: `The request body is larger than ${MAX_BODY_BYTES} bytes; send less data (nothing was charged).`,
    });
    const text = await request('/hashing/sha256', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(text.status).toBe(415);
    expect(await text.json()).toEqual({
      code: 'unsupported_media_type',
      message: 'Send the request body as application/json (nothing was charged).',
    });
  });
});
