import { KubeqlError, messageOf } from './errors.ts';

/** Node's codes (OpenSSL's) for a certificate chain that leads to no CA the client trusts. */
const NOT_SIGNED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

const OTHER_REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is not for this host name or address',
};

/**
 * An UNTRUSTED error when `error` (a failed request or WebSocket, or what caused it) is
 * the TLS handshake refusing the server's certificate; undefined for any other failure.
 * Browsers do not say why a connection failed: there, this never matches.
 */
export function untrustedServer(error: unknown, url: string): KubeqlError | undefined {
  let reason: unknown = error;
  for (let depth = 0; depth < 5 && typeof reason === 'object' && reason !== null; depth++) {
    const code = (reason as { code?: unknown }).code;
    const why =
      typeof code !== 'string'
        ? undefined
        : NOT_SIGNED.has(code)
          ? 'its certificate is not signed by a certificate authority this client trusts'
          : OTHER_REASONS[code];
    if (why) {
      return new KubeqlError(
        'UNTRUSTED',
        `cannot trust the server ${new URL(url).host}: ${why} (${messageOf(reason)})`,
        {
          cause: error,
        },
      );
    }
    // fetch wraps the socket's error in `cause`; a `ws` error event carries it as `error`.
    const { cause, error: inner } = reason as { cause?: unknown; error?: unknown };
    reason = cause ?? inner;
  }
  return undefined;
}
