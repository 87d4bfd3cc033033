import { describe, expect, it } from 'vitest';
import { buildEndpointRequest, type EndpointInput } from './endpoint-request';

const API = 'http://127.0.0.1:8787';

describe('buildEndpointRequest', () => {
  it('joins path to the configured API, adds params and sends data as JSON', () => {
    const request = buildEndpointRequest(
      {
        method: 'POST',
        path: '/hashing/sha256',
        params: { tokenType: 'sBTC' },
        data: { data: 'x' },
      },
      API,
    );
    expect(request).toEqual({
      method: 'POST',
      url: 'http://127.0.0.1:8787/hashing/sha256?tokenType=sBTC',
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"data":"x"}',
      },
    });
  });

  it('takes apiUrl over the configured API, and a full url as given (http allowed)', () => {
    expect(
      buildEndpointRequest({ method: 'GET', path: '/a', apiUrl: 'https://b.example/' }, API).url,
    ).toBe('https://b.example/a');
    const request = buildEndpointRequest(
      { method: 'GET', url: 'http://localhost:9/kv?x=1', params: { y: '2', x: '3' } },
      API,
    );
    expect(request).toEqual({
      method: 'GET',
      url: 'http://localhost:9/kv?x=3&y=2',
      init: { method: 'GET' },
    });
  });

  it.each([
    [{ method: 'GET' }, 'give url, or path (with an optional apiUrl)'],
    [
      { method: 'GET', url: 'http://a/x', path: '/x' },
      'give either url, or path (with an optional apiUrl), not both',
    ],
    [
      { method: 'GET', url: 'http://a/x', apiUrl: 'http://a' },
      'give either url, or path (with an optional apiUrl), not both',
    ],
    [
      { method: 'GET', path: 'hashing' },
      'path must start with /, e.g. /hashing/sha256 (got hashing)',
    ],
    [{ method: 'GET', url: 'ftp://a/x' }, 'url must use http or https, not ftp:'],
    [{ method: 'GET', url: '/relative' }, 'url must be an absolute http(s) URL, not "/relative"'],
    [
      { method: 'GET', path: '/x', apiUrl: 'nope' },
      'apiUrl must be an absolute http(s) URL, not "nope"',
    ],
    [
      { method: 'GET', path: '/x', data: { a: 1 } },
      'a GET request takes params (query), not data (body)',
    ],
  ] as [EndpointInput, string][])('refuses %j', (input, message) => {
    expect(() => buildEndpointRequest(input, API)).toThrow(message);
  });
});
