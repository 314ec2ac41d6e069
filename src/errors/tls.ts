// A server's TLS certificate that does not verify, as Node's tls (and so undici's fetch and the GCS
// client) reports it: not an `E…` errno, so it would otherwise pass for a connection cut some other way
// and be resent for the whole retry budget. It will not verify on the next attempt either (a proxy
// that intercepts TLS, a wrong host, a clock far off): one classification for every client, the
// Shopify API's (shopify/classify.ts), the result download's and GCS's (gcs/errors.ts).
import { ErrorCodes, EtlError } from './index.ts';

const TRUST_FIX =
  'a proxy or firewall that intercepts TLS does this: give Node its CA certificate with NODE_EXTRA_CA_CERTS=/path/to/ca.pem, ' +
  'or check that the URL names the right host';
const UNTRUSTED = `is not signed by a certificate authority this machine trusts; ${TRUST_FIX}`;
const HOST_FIX = 'check that the URL names the right host and that nothing on the way intercepts TLS';
const OTHER_HOST = 'was issued for another host name; check the host in the URL (--admin-url, --shop, the GCS endpoint)';

/** What each certificate failure means and what to do about it; codes as Node (OpenSSL) names them. */
const CERTIFICATE_PROBLEMS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: `is self-signed, not signed by a certificate authority this machine trusts; ${TRUST_FIX}`,
  SELF_SIGNED_CERT_IN_CHAIN: `chains to a self-signed root this machine does not trust; ${TRUST_FIX}`,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  CERT_UNTRUSTED: UNTRUSTED,
  CERT_REJECTED: UNTRUSTED,
  INVALID_CA: UNTRUSTED,
  CERT_CHAIN_TOO_LONG: UNTRUSTED,
  PATH_LENGTH_EXCEEDED: UNTRUSTED,
  INVALID_PURPOSE: `may not be used to identify a server; ${HOST_FIX}`,
  CERT_SIGNATURE_FAILURE: `has a signature that does not verify; ${HOST_FIX}`,
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: `has a signature that does not verify; ${HOST_FIX}`,
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: `has an issuer whose key cannot be read; ${HOST_FIX}`,
  CERT_REVOKED: `has been revoked by its issuer; ${HOST_FIX}`,
  CERT_HAS_EXPIRED: "has expired, or this machine's clock is far ahead: check the clock (NTP), then the URL",
  CERT_NOT_YET_VALID: "is not valid yet, or this machine's clock is far behind: check the clock (NTP), then the URL",
  ERROR_IN_CERT_NOT_BEFORE_FIELD: `has an unreadable validity period; ${HOST_FIX}`,
  ERROR_IN_CERT_NOT_AFTER_FIELD: `has an unreadable validity period; ${HOST_FIX}`,
  ERR_TLS_CERT_ALTNAME_INVALID: OTHER_HOST,
  HOSTNAME_MISMATCH: OTHER_HOST,
};

/** The certificate failure's code along an error's cause chain (fetch hides the socket's error in `cause`). */
export function certificateErrorOf(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && Object.hasOwn(CERTIFICATE_PROBLEMS, code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * TLS_CERT_INVALID when `err` is, or wraps, a certificate that does not verify, else undefined.
 * `what` names the call, `host` the server whose certificate it is.
 */
export function classifyCertificateError(err: unknown, what: string, host: string): EtlError | undefined {
  const certificateError = certificateErrorOf(err);
  if (certificateError === undefined) return undefined;
  return new EtlError(
    ErrorCodes.TLS_CERT_INVALID,
    `${what}: the TLS certificate of ${host} ${CERTIFICATE_PROBLEMS[certificateError]} (${certificateError}); not retried, it would not verify on the next attempt either`,
    { cause: err, details: { host, certificateError } },
  );
}
