import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TlsCertificate {
  readonly key: string;
  readonly cert: string;
}

/** A throwaway self-signed certificate for `dnsName` (its own CA), made with the openssl CLI. */
export function selfSignedCertificate(dnsName: string): TlsCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mooring-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      // prettier-ignore
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', `/CN=${dnsName}`, '-addext', `subjectAltName=DNS:${dnsName}`, '-keyout', keyFile, '-out', certFile],
      { stdio: 'ignore' },
    );
    return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
