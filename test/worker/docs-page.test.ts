/**
 * `GET /docs` as HTML: the page loads Scalar from this Worker's own assets and the OpenAPI document
 * from this origin, with every Scalar feature that reaches the network turned off. The rendering
 * itself, in a real browser with every other host blocked, is test/e2e/docs-browser.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { testApp } from './support/app';

/** The configuration object the page passes to `Scalar.createApiReference('#app', {...})`. */
function scalarConfiguration(html: string): Record<string, unknown> {
  const match = /Scalar\.createApiReference\('#app', (\{[\s\S]*?\})\)\s*<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('no Scalar.createApiReference call in the page');
  return JSON.parse(match[1]) as Record<string, unknown>;
}

describe('GET /docs', () => {
  it('serves the reference page with its script and document from this origin only', async () => {
    const { request } = testApp();
    const res = await request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('payment-required')).toBeNull();
    const html = await res.text();

    expect(html).toContain('<title>x402 Stacks API reference</title>');
    const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]*)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(['/vendor/scalar/standalone.js']);
    // No absolute URL anywhere in the page: nothing for the browser to fetch from another host.
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<link\b/);

    expect(scalarConfiguration(html)).toEqual({
      url: '/openapi.json',
      withDefaultFonts: false,
      telemetry: false,
      showDeveloperTools: 'never',
      proxyUrl: '',
      agent: { disabled: true },
      _integration: 'hono',
    });
  });

  it('is answered for every spelling of its path, and HEAD carries no body', async () => {
    const { request } = testApp();
    const trailing = await request('/docs/');
    expect(trailing.status).toBe(200);
    expect(await trailing.text()).toContain('/vendor/scalar/standalone.js');
    const head = await request('/docs', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
