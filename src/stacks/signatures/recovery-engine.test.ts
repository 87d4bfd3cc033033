/**
 * The WASM engine (libsecp256k1) against the JavaScript one (noble, through @stacks/transactions)
 * on the same inputs: genuine signatures, their high-S twins, random (r, s) pairs, every recovery
 * id and out-of-range values; then the fallback to JavaScript when WASM is unusable.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { signMessageHashRsv } from '@stacks/transactions';
import { describe, expect, it } from 'vitest';
import { parseHex } from '../../encoding/hex';
import {
  chooseRecoveryEngine,
  type RecoverPublicKey,
  recoverWithJavaScript,
  recoveryEngine,
} from './recovery-engine';
import secp256k1Module from './secp256k1-wasm-module';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const SIGNATURES = 60;

const engine = recoveryEngine();
const wasm: RecoverPublicKey = engine.recover;
const js = recoverWithJavaScript;

const bytes = (hex: string) => {
  const parsed = parseHex(hex);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.bytes;
};
const hex32 = (n: bigint) => n.toString(16).padStart(64, '0');
const random = (length: number) => crypto.getRandomValues(new Uint8Array(length));
const scalar = (b: Uint8Array) => BigInt(`0x${bytesToHex(b)}`);
const show = (key: Uint8Array | null) => (key === null ? null : bytesToHex(key));

/** Both engines' answers, compressed and not, for one input. */
function both(hash: Uint8Array, rs: Uint8Array, recoveryId: number) {
  return {
    wasm: [show(wasm(hash, rs, recoveryId, true)), show(wasm(hash, rs, recoveryId, false))],
    js: [show(js(hash, rs, recoveryId, true)), show(js(hash, rs, recoveryId, false))],
  };
}

function signed() {
  const hash = random(32);
  const privateKey = bytesToHex(random(32));
  const rsv = bytes(signMessageHashRsv({ messageHash: bytesToHex(hash), privateKey }));
  return { hash, rs: rsv.subarray(0, 64), recoveryId: rsv[64] };
}

describe('the recovery engine of a Worker', () => {
  it('is libsecp256k1 in WASM, chosen once', () => {
    expect(engine.engine).toBe('wasm');
    expect(recoveryEngine()).toBe(engine);
  });
});

describe('WASM and JavaScript recovery agree', () => {
  it(`on ${SIGNATURES} genuine signatures, every recovery id`, () => {
    for (let i = 0; i < SIGNATURES; i++) {
      const { hash, rs, recoveryId } = signed();
      const genuine = both(hash, rs, recoveryId);
      expect(genuine.wasm[0]).not.toBeNull();
      expect(genuine.wasm).toEqual(genuine.js);
      for (const other of [0, 1, 2, 3].filter((id) => id !== recoveryId)) {
        const answer = both(hash, rs, other);
        expect(answer.wasm).toEqual(answer.js);
      }
    }
  });

  it('on high-S twins: both recover them (refusing a high S is the caller’s rule)', () => {
    for (let i = 0; i < SIGNATURES / 4; i++) {
      const { hash, rs, recoveryId } = signed();
      const twin = new Uint8Array(rs);
      twin.set(bytes(hex32(N - scalar(rs.subarray(32)))), 32);
      // (r, n - s) with the other parity is the same key: the malleated signature.
      const malleated = both(hash, twin, recoveryId ^ 1);
      expect(malleated.wasm).toEqual(malleated.js);
      expect(malleated.wasm).toEqual(both(hash, rs, recoveryId).js);
      const sameParity = both(hash, twin, recoveryId);
      expect(sameParity.wasm).toEqual(sameParity.js);
    }
  });

  it('on random (r, s) pairs, every recovery id', () => {
    for (let i = 0; i < SIGNATURES; i++) {
      const hash = random(32);
      const rs = random(64);
      for (const recoveryId of [0, 1, 2, 3]) {
        const answer = both(hash, rs, recoveryId);
        expect(answer.wasm).toEqual(answer.js);
      }
    }
  });

  it('on recovery ids 2 and 3 where r + n is an x-coordinate', () => {
    let recovered = 0;
    for (let r = 1n; recovered < 4 && r < 64n; r++) {
      const rs = bytes(hex32(r) + hex32(0x1234567890abcdefn));
      for (const recoveryId of [2, 3]) {
        const answer = both(random(32), rs, recoveryId);
        expect(answer.wasm).toEqual(answer.js);
        if (answer.wasm[0] !== null) recovered++;
      }
    }
    expect(recovered).toBe(4);
    // With r at or above p - n, r + n is past the field: neither recovers.
    const past = both(random(32), bytes(hex32(P - N) + hex32(5n)), 2);
    expect(past).toEqual({ wasm: [null, null], js: [null, null] });
  });

  it('on edge values of the hash, r and s', () => {
    const { hash, rs, recoveryId } = signed();
    const r = bytesToHex(rs.subarray(0, 32));
    const s = bytesToHex(rs.subarray(32));
    const cases: [Uint8Array, string][] = [
      // A hash at or above n is taken modulo n; zero is a hash like any other.
      [bytes('ff'.repeat(32)), r + s],
      [bytes(hex32(N)), r + s],
      [new Uint8Array(32), r + s],
      [hash, hex32(N - 1n) + s],
      [hash, r + hex32(N - 1n)],
      [hash, hex32(1n) + s],
      [hash, r + hex32(1n)],
      [hash, hex32(P - N - 1n) + s],
    ];
    for (const [h, signature] of cases) {
      for (const id of [0, 1, 2, 3]) {
        const answer = both(h, bytes(signature), id);
        expect(answer.wasm).toEqual(answer.js);
      }
    }
    expect(both(hash, rs, recoveryId).wasm.map((key) => key?.length)).toEqual([66, 130]);
  });

  it.each([
    ['recovery id 4', 'rs', 4],
    ['recovery id 27 (a Bitcoin header byte)', 'rs', 27],
    ['recovery id -1', 'rs', -1],
    ['recovery id 1.5', 'rs', 1.5],
    ['r = 0', 'r0', 0],
    ['s = 0', 's0', 0],
    ['r = n', 'rn', 0],
    ['s = n', 'sn', 1],
    ['a 31-byte hash', 'short-hash', 0],
    ['a 63-byte signature', 'short-sig', 0],
  ])('refuses %s, both', (_label, shape, recoveryId) => {
    const { hash, rs } = signed();
    const inputs: Record<string, [Uint8Array, Uint8Array]> = {
      rs: [hash, rs],
      r0: [hash, bytes(hex32(0n) + bytesToHex(rs.subarray(32)))],
      s0: [hash, bytes(bytesToHex(rs.subarray(0, 32)) + hex32(0n))],
      rn: [hash, bytes(hex32(N) + bytesToHex(rs.subarray(32)))],
      sn: [hash, bytes(bytesToHex(rs.subarray(0, 32)) + hex32(N))],
      'short-hash': [hash.subarray(1), rs],
      'short-sig': [hash, rs.subarray(1)],
    };
    const [h, signature] = inputs[shape];
    expect(both(h, signature, recoveryId)).toEqual({ wasm: [null, null], js: [null, null] });
  });
});

describe('the module (secp256k1-recover.wasm)', () => {
  type Exports = {
    memory: WebAssembly.Memory;
    recover(recoveryId: number, compressed: number): number;
    signature_buffer(): number;
  };

  it('imports nothing and exports its memory and five functions', () => {
    expect(WebAssembly.Module.imports(secp256k1Module)).toEqual([]);
    expect(
      WebAssembly.Module.exports(secp256k1Module)
        .map(({ name, kind }) => `${kind} ${name}`)
        .sort(),
    ).toEqual([
      'function hash_buffer',
      'function init',
      'function key_buffer',
      'function recover',
      'function signature_buffer',
      'memory memory',
    ]);
  });

  it('answers 0, without trapping, for what the glue never passes it', () => {
    // A fresh instance: recover() builds the context itself when init() was not called.
    const raw = new WebAssembly.Instance(secp256k1Module, {}).exports as unknown as Exports;
    const { rs } = signed();
    new Uint8Array(raw.memory.buffer).set(rs, raw.signature_buffer());
    for (const recoveryId of [4, -1, 27, 0x7fffffff, -0x80000000]) {
      expect(raw.recover(recoveryId, 1)).toBe(0);
    }
    // r is a genuine signature's: a point with that x exists, so some key is recovered.
    expect(raw.recover(0, 1)).toBe(33);
    expect(raw.recover(1, 0)).toBe(65);
    new Uint8Array(raw.memory.buffer).set(bytes('ff'.repeat(64)), raw.signature_buffer());
    expect([0, 1, 2, 3].map((recoveryId) => raw.recover(recoveryId, 0))).toEqual([0, 0, 0, 0]);
  });
});

describe('falling back to JavaScript', () => {
  const hash = sha256(new TextEncoder().encode('fallback'));
  const { rs, recoveryId } = (() => {
    const rsv = bytes(
      signMessageHashRsv({ messageHash: bytesToHex(hash), privateKey: '01'.repeat(32) }),
    );
    return { rs: rsv.subarray(0, 64), recoveryId: rsv[64] };
  })();
  const expected = show(js(hash, rs, recoveryId, true));

  it.each([
    ['no module', () => undefined, 'no WebAssembly module'],
    // workerd compiles no WASM at run time, so a module that fails to instantiate stands in as
    // a value that is not one.
    [
      'a module that fails to instantiate',
      () => ({}) as WebAssembly.Module,
      expect.stringMatching(/^TypeError: /),
    ],
  ])('with %s', (_label, module, reason) => {
    const chosen = chooseRecoveryEngine(module());
    expect(chosen).toEqual({ engine: 'js', recover: recoverWithJavaScript, reason });
    expect(show(chosen.recover(hash, rs, recoveryId, true))).toBe(expected);
  });

  it('uses WASM when the module instantiates and passes its self-check', () => {
    const chosen = chooseRecoveryEngine(secp256k1Module);
    expect(chosen.engine).toBe('wasm');
    expect(show(chosen.recover(hash, rs, recoveryId, true))).toBe(expected);
  });
});
