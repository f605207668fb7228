import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

const STATIC_DIR = join(PROJECT_ROOT, 'src', 'dashboard', 'static');

// The package's exports map hides umd/, but its package.json is exported: the UMD
// bundle is found beside it, in whichever node_modules resolution picks.
const GRAPHQL_WS_UMD = join(
  dirname(createRequire(import.meta.url).resolve('graphql-ws/package.json')),
  'umd',
  'graphql-ws.min.js',
);

const PREFIX = '/dashboard';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

// Only plain names below static/: no dots, so no '..', and nothing outside it is reachable.
const FILE = /^(?:[a-z0-9-]+\/)*[a-z0-9-]+\.(html|css|js|svg)$/;

// The page builds its DOM from text nodes only; the policy makes any slip inert too.
const HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/**
 * Serves the dashboard's static files under /dashboard/ and the graphql-ws browser
 * bundle under /dashboard/vendor/. Answers true when it handled the request.
 */
export async function serveDashboard(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== PREFIX && !url.pathname.startsWith(`${PREFIX}/`)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return true;
  }
  // The page's relative URLs (app.js, vendor/…) resolve against the trailing slash.
  if (url.pathname === PREFIX) {
    res.writeHead(308, { location: `${PREFIX}/${url.search}` }).end();
    return true;
  }
  const file = locate(url.pathname.slice(PREFIX.length + 1));
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return true;
  }
  let body: Buffer;
  try {
    body = await readFile(file.path);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return true;
  }
  res.writeHead(200, { ...HEADERS, 'content-type': file.type, 'content-length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

function locate(name: string): { path: string; type: string } | undefined {
  if (name === '' || name === 'index.html')
    return { path: join(STATIC_DIR, 'index.html'), type: TYPES.html! };
  if (name === 'vendor/graphql-ws.js') return { path: GRAPHQL_WS_UMD, type: TYPES.js! };
  const match = FILE.exec(name);
  if (!match || name.startsWith('vendor/')) return undefined;
  return { path: join(STATIC_DIR, name), type: TYPES[match[1]!]! };
}
