import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WITH_PGLITE } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.runIf(WITH_PGLITE)('serving the dashboard', () => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer('pglite');
    base = server.url.replace(/\/graphql$/, '');
  });
  afterAll(() => server.stop());

  const get = (path: string, init?: RequestInit) => fetch(`${base}${path}`, { redirect: 'manual', ...init });

  it('redirects /dashboard to /dashboard/, where the page loads its own files', async () => {
    const redirect = await get('/dashboard?x=1');
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/dashboard/?x=1');

    const page = await get('/dashboard/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    for (const [, src] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      expect((await get(`/dashboard/${src}`)).status, src).toBe(200);
    }
  });

  it('serves the graphql-ws browser bundle from node_modules', async () => {
    const response = await get('/dashboard/vendor/graphql-ws.js');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await response.text()).toContain('graphqlWs');
  });

  it('serves nothing outside its own directory, and only to GET and HEAD', async () => {
    for (const path of [
      '/dashboard/%2e%2e/serve.ts',
      '/dashboard/..%2fserve.ts',
      '/dashboard/vendor/../../package.json',
      '/dashboard/missing.js',
      '/dashboard/vendor/other.js',
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
    expect((await get('/dashboard/', { method: 'POST' })).status).toBe(405);
    const head = await get('/dashboard/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it("gives every answer on these routes an x-request-id, the caller's when it sent one", async () => {
    const routes: Array<[string, number, RequestInit?]> = [
      ['/health', 200],
      ['/dashboard', 308],
      ['/dashboard/', 200],
      ['/dashboard/dashboard.css', 200],
      ['/dashboard/vendor/graphql-ws.js', 200],
      ['/dashboard/missing.js', 404],
      ['/dashboard/', 405, { method: 'POST' }],
    ];
    for (const [path, status, init] of routes) {
      const fresh = await get(path, init);
      expect(fresh.status, path).toBe(status);
      expect(fresh.headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/);
      const sent = await get(path, { ...init, headers: { 'x-request-id': `req-${status}` } });
      expect(sent.headers.get('x-request-id'), path).toBe(`req-${status}`);
    }
  });
});
