import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { NestExpressApplication } from '@nestjs/platform-express';

// Same-origin assets the api serves beside /v1: the web console (a built single-page app) at `/`
// and the API docs at /docs (Swagger UI from npm, offline; no CDN). Both under a strict CSP.

const API_PREFIXES = ['/v1/', '/health', '/docs'];

const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Mooring API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
    <link rel="icon" href="/docs/assets/favicon-32x32.png" />
  </head>
  <body>
    <div id="docs"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/docs.js"></script>
  </body>
</html>
`;

// Requests from "Try it out" carry the console's session cookie; state-changing ones also need its CSRF token.
const DOCS_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/v1/openapi.json',
  dom_id: '#docs',
  validatorUrl: null,
  deepLinking: true,
  requestInterceptor: function (request) {
    var match = document.cookie.match(/(?:^|; )(?:__Host-)?mooring_csrf=([^;]+)/);
    if (match) request.headers['x-csrf-token'] = decodeURIComponent(match[1]);
    return request;
  },
});
`;

const DOCS_ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

/** Where `npm start` builds the web app (apps/web/dist), seen from this file in src/ or dist/. */
export const DEFAULT_WEB_APP_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../web/dist');

export function mountWebAssets(app: NestExpressApplication, webAppDir: string): void {
  app.use(securityHeaders());

  const docsDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  app.use('/docs/assets/:file', (request: Request, response: Response, next: NextFunction) => {
    const file = String(request.params['file']);
    if (!DOCS_ASSETS.has(file)) return next();
    response.sendFile(path.join(docsDir, file), { maxAge: '1d' });
  });
  app.use('/docs/docs.js', (_request: Request, response: Response) => {
    response.type('application/javascript').send(DOCS_SCRIPT);
  });
  app.use(/^\/docs\/?$/, (_request: Request, response: Response) => {
    response.type('html').send(DOCS_PAGE);
  });

  const index = path.join(webAppDir, 'index.html');
  const assets = express.static(webAppDir, { index: false, maxAge: '1h', fallthrough: true });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    if (API_PREFIXES.some((prefix) => request.path === prefix.replace(/\/$/, '') || request.path.startsWith(prefix))) {
      return next();
    }
    assets(request, response, () => {
      // A file that does not exist is a 404 (the api's coded one); any other path is a client route.
      if (path.extname(request.path) || !fs.existsSync(index)) return next();
      response.setHeader('Cache-Control', 'no-cache');
      response.sendFile(index);
    });
  });
}

/** The security headers every answer carries (helmet), under a strict CSP. */
function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Editors and Swagger UI set inline styles.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    // http on loopback must keep working: no upgrade to https, no HSTS.
    strictTransportSecurity: false,
  });
}

/**
 * The headers `securityHeaders` sets, as name/value pairs read once: they never depend on the
 * request (no CSP nonce), so a raw route sends the same ones without running helmet per request.
 */
export function securityHeaderPairs(): string[] {
  const pairs: string[] = [];
  const recorder = { setHeader: (name: string, value: string) => pairs.push(name, value), removeHeader: () => undefined };
  securityHeaders()({} as Request, recorder as unknown as Response, () => undefined);
  return pairs;
}
