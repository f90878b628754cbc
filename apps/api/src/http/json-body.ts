import type { IncomingMessage } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** An http-errors-shaped refusal: Nest turns it into an HttpException that the error filter codes by status and type. */
function refusal(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true, type });
}

/**
 * JSON bodies are UTF-8 (RFC 8259), exactly: another charset is a 415, and bytes that are not
 * UTF-8 are refused instead of being replaced silently by U+FFFD. What the parsed JSON may hold is
 * checked with the rest of the input by the validation pipe (NUL, lone surrogates, `__proto__`,
 * depth: `untrustedInputIssues`).
 */
export function useJsonBodies(app: NestExpressApplication, limitBytes: number): void {
  // Express's own JSON parser (what app.useBodyParser installs), with the check Nest's typing leaves out.
  app.use(
    express.json({
      limit: limitBytes,
      verify(_request: IncomingMessage, _response: unknown, body: Buffer, charset: string) {
        if (charset !== 'utf-8' && charset !== 'utf8') {
          throw refusal(415, 'charset.unsupported', `JSON bodies must be UTF-8, not ${charset.toUpperCase()}`);
        }
        try {
          strictUtf8.decode(body);
        } catch {
          throw refusal(400, 'encoding.invalid', 'The request body is not valid UTF-8');
        }
      },
    }),
  );
}

/**
 * Webhook deliveries (`/v1/hooks/…`) are kept as the exact bytes received, whatever their content
 * type: signatures are computed over them. Larger than `limitBytes` is a 413 before anything is read
 * further; the JSON parser then leaves them alone.
 */
export function useHookBodies(app: NestExpressApplication, limitBytes: number): void {
  app.use('/v1/hooks', express.raw({ type: () => true, limit: limitBytes }));
}
