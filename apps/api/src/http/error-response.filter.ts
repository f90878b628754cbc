import { randomUUID } from 'node:crypto';
import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, currentRequestScope, type ErrorCode, type Logger } from '@mooring/platform';
import { LOGGER } from '../logger.token.js';
import { HTTP_STATUS_BY_CODE } from './http-status-by-code.js';

interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details: Readonly<Record<string, unknown>> };
}

/**
 * Every failure leaves the API as `{"error":{"code","message","details"}}`. Domain errors keep
 * their code; framework errors get one by status; anything else is a 500 whose cause is logged
 * under an errorId and never shown to the caller.
 */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toResponse(exception);
    if (response.headersSent) return;
    const retryAfter = body.error.details['retryAfterSeconds'];
    if (status === 429 && typeof retryAfter === 'number') response.setHeader('Retry-After', String(retryAfter));
    if (status === 503) response.setHeader('Retry-After', String(retryAfterSeconds(exception)));
    response.status(status).json(body);
  }

  private toResponse(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof DomainError) {
      const status = HTTP_STATUS_BY_CODE[exception.code];
      // 502s describe a tool's failure (its status, its host), which the caller needs to see.
      if (status >= 500 && status !== 502) return this.internal(exception, exception.code, status);
      return { status, body: { error: { code: exception.code, message: exception.message, details: exception.details } } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = frameworkCode(status, exception);
      if (code) {
        const details = code === 'UNSUPPORTED_MEDIA_TYPE' ? { header: 'content-type' } : {};
        return { status, body: { error: { code, message: frameworkMessage(exception, code), details } } };
      }
    }
    return this.internal(exception, 'INTERNAL', 500);
  }

  private internal(exception: unknown, code: ErrorCode, status: number): { status: number; body: ErrorBody } {
    const errorId = randomUUID();
    this.logger.error({ err: exception, errorId, requestId: currentRequestScope()?.requestId }, 'request failed');
    const message =
      code === 'DEPENDENCY_UNAVAILABLE' ? 'A service Mooring depends on is unavailable; retry later' : 'Internal error';
    return { status, body: { error: { code, message, details: { errorId } } } };
  }
}

/** A dependency's outage: when to try again, as the error says or in a few seconds. */
function retryAfterSeconds(exception: unknown): number {
  const given = exception instanceof DomainError ? exception.details['retryAfterSeconds'] : undefined;
  return typeof given === 'number' && given > 0 ? Math.ceil(given) : 5;
}

function frameworkCode(status: number, exception: HttpException): ErrorCode | undefined {
  const cause = exception.cause as { type?: string } | undefined;
  if (status === 404) return 'ROUTE_NOT_FOUND';
  if (status === 405) return 'METHOD_NOT_ALLOWED';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 400 && (cause?.type === 'entity.parse.failed' || cause?.type === 'encoding.invalid')) return 'MALFORMED_JSON';
  if (status === 400 && exception.message.includes('JSON')) return 'MALFORMED_JSON';
  if (status === 400) return 'VALIDATION_FAILED';
  return undefined;
}

function frameworkMessage(exception: HttpException, code: ErrorCode): string {
  const cause = exception.cause as { type?: string } | undefined;
  switch (code) {
    case 'MALFORMED_JSON':
      return cause?.type === 'encoding.invalid' ? 'The request body is not valid UTF-8' : 'The request body is not valid JSON';
    case 'PAYLOAD_TOO_LARGE':
      return 'The request body is too large';
    case 'UNSUPPORTED_MEDIA_TYPE':
      return cause?.type === 'charset.unsupported'
        ? 'JSON request bodies must be UTF-8: send Content-Type: application/json (charset=utf-8 or none)'
        : exception.message;
    default:
      return exception.message;
  }
}
