// The self-signed certificate (and its key) for localhost and 127.0.0.1 that https test servers present.
import { readFileSync } from 'node:fs';

export const LOCALHOST_TLS = {
  cert: readFileSync(new URL('localhost-cert.pem', import.meta.url), 'latin1'),
  key: readFileSync(new URL('localhost-key.pem', import.meta.url), 'latin1'),
};
