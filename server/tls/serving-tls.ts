import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createCertificateAuthority, issueServingCertificate, type KeyPair } from './certificate.ts';
import { namesMatch, servingNames } from './serving-names.ts';

export interface TlsOptions {
  /** Serve HTTPS and WSS on a loopback address too (beyond loopback the server always does). */
  serve?: boolean;
  /** More names and addresses for the generated serving certificate (a load balancer's, a public one). */
  sans?: string[];
  /** A certificate (PEM, its chain after it) to serve instead of the generated one, with its key. */
  certFile?: string;
  keyFile?: string;
}

export interface ServingTls extends KeyPair {
  /** The cluster CA (PEM) that signed `cert`, for clients to trust; none for a certificate of the user's. */
  ca?: string;
}

/** Where the cluster CA and the generated serving certificate live, under the data directory. */
export const TLS_DIR = 'tls';
export const CA_CERT_FILE = 'ca.crt';
const CA_KEY_FILE = 'ca.key';
const SERVING_CERT_FILE = 'serving.crt';
const SERVING_KEY_FILE = 'serving.key';

const CA_VALID_DAYS = 10 * 365;
const SERVING_VALID_DAYS = 365;
/** A serving certificate with less left than this is made anew, on start or while the server runs. */
const RENEW_BEFORE_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether a server on `address` serves TLS: always beyond loopback, on loopback when asked. */
export function servesTls(address: string, options: TlsOptions = {}): boolean {
  return Boolean(options.serve || options.certFile || options.keyFile) || !isLoopback(address);
}

function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\./.test(address);
}

/**
 * What the server serves TLS with: the user's certificate and key when given; otherwise
 * a serving certificate signed by the cluster CA, both made on first use and kept in
 * DIR/tls (keys readable by their owner only). The serving certificate is made again
 * when it nears its end, when the names it should carry change (another address, another
 * --tls-san) or when it does not belong to the CA; the CA stays, so clients that trust it
 * trust the new certificate too. Cheap when nothing changes: the server calls it again
 * from time to time to renew.
 */
export function servingTls(
  dataDir: string,
  options: TlsOptions & { address?: string; log?: (line: string) => void },
  now = new Date(),
): ServingTls {
  if (options.certFile || options.keyFile) return userProvided(options.certFile, options.keyFile);
  const dir = path.join(dataDir, TLS_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = certificateAuthority(dir, now);
  const names = servingNames(options.sans, options.address);
  const current = readPair(dir, SERVING_CERT_FILE, SERVING_KEY_FILE);
  const why = current ? staleBecause(current, ca, names, now) : 'none yet';
  if (!why) return { ...current!, ca: ca.cert };
  const fresh = issueServingCertificate(ca, names, now, SERVING_VALID_DAYS);
  writePair(dir, SERVING_CERT_FILE, SERVING_KEY_FILE, fresh);
  options.log?.(`tls: new serving certificate (${why}) for ${names.join(', ')}`);
  return { ...fresh, ca: ca.cert };
}

function certificateAuthority(dir: string, now: Date): KeyPair {
  const certFile = path.join(dir, CA_CERT_FILE);
  const keyFile = path.join(dir, CA_KEY_FILE);
  const existing = readPair(dir, CA_CERT_FILE, CA_KEY_FILE);
  if (existing) {
    const cert = new X509Certificate(existing.cert);
    if (!cert.checkPrivateKey(crypto.createPrivateKey(existing.key)))
      throw new Error(`${keyFile} is not the key of ${certFile}: restore the CA's key`);
    return existing;
  }
  if (fs.existsSync(certFile) || fs.existsSync(keyFile))
    throw new Error(
      `the cluster CA in ${dir} is incomplete (${CA_CERT_FILE} and ${CA_KEY_FILE} go together): ` +
        `restore it, or remove both to make a new CA (clients must then trust the new one)`,
    );
  const ca = createCertificateAuthority(now, CA_VALID_DAYS);
  writePair(dir, CA_CERT_FILE, CA_KEY_FILE, ca);
  return ca;
}

/** Why the serving certificate must be made again, or undefined when it may stay. */
function staleBecause(pair: KeyPair, ca: KeyPair, names: readonly string[], now: Date): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.cert);
    if (!cert.checkPrivateKey(crypto.createPrivateKey(pair.key))) return 'its key does not match';
  } catch {
    return 'the stored one is unreadable';
  }
  const caCert = new X509Certificate(ca.cert);
  if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) return 'another CA signed it';
  if (Date.parse(cert.validTo) - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return 'it nears its end';
  if (!namesMatch(cert, names)) return 'the names to serve changed';
  return undefined;
}

function userProvided(certFile: string | undefined, keyFile: string | undefined): ServingTls {
  if (!certFile || !keyFile)
    throw new Error('a TLS certificate file and its private key file go together: give both');
  const cert = readText(certFile, 'TLS certificate file');
  const key = readText(keyFile, 'TLS private key file');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw new Error(`the TLS certificate file ${certFile} holds no PEM certificate`);
  }
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(crypto.createPrivateKey(key));
  } catch {
    throw new Error(`the TLS private key file ${keyFile} holds no PEM private key`);
  }
  if (!matches) throw new Error(`the key in ${keyFile} is not the key of the certificate in ${certFile}`);
  return { cert, key };
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
}

function readPair(dir: string, certName: string, keyName: string): KeyPair | undefined {
  try {
    return {
      cert: fs.readFileSync(path.join(dir, certName), 'utf8'),
      key: fs.readFileSync(path.join(dir, keyName), 'utf8'),
    };
  } catch {
    return undefined;
  }
}

/** Key first, each written whole and renamed into place: a crash leaves the old pair or the new one's key. */
function writePair(dir: string, certName: string, keyName: string, pair: KeyPair): void {
  writeAtomically(path.join(dir, keyName), pair.key, 0o600);
  writeAtomically(path.join(dir, certName), pair.cert, 0o644);
}

function writeAtomically(file: string, text: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { mode });
  fs.chmodSync(temporary, mode);
  fs.renameSync(temporary, file);
}
