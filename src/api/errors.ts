/**
 * Coded errors raised by the HTTP layer (fastify style: `@fastify/error`, each with its
 * status). The problem plugin turns these, fastify's own errors and the service's
 * InputError into RFC 9457 problem+json responses.
 */
import createError from '@fastify/error';

export const UnauthorizedError = createError(
  'LC_UNAUTHORIZED',
  'Missing or invalid API key: send the header Authorization: Bearer <API_KEY>',
  401,
);

export const UnsupportedMediaTypeError = createError(
  'LC_UNSUPPORTED_MEDIA_TYPE',
  'Unsupported content type %s; send application/json, multipart/form-data (.npy parts) or application/vnd.apache.arrow.stream',
  415,
);

export const MalformedMultipartError = createError('LC_MALFORMED_MULTIPART', 'Malformed multipart/form-data body: %s', 400);

export const MultipartTooLargeError = createError('LC_MULTIPART_TOO_LARGE', '%s', 413);

/** Media types accepted by the /v1 compute routes. */
export const ACCEPTED_MEDIA_TYPES = [
  'application/json',
  'multipart/form-data',
  'application/vnd.apache.arrow.stream',
  'application/vnd.apache.arrow.file',
] as const;
