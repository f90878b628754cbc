// The codes live in the API contract, so the web app can put each into words.
export { ERROR_CODES, type ErrorCode } from '@mooring/contract';
