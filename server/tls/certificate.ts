import crypto, { X509Certificate, type KeyObject } from 'node:crypto';
import net from 'node:net';
import {
  bitString,
  boolean,
  children,
  explicit,
  implicit,
  objectIdentifier,
  octetString,
  sequence,
  set,
  time,
  unsignedInteger,
  utf8String,
} from './der.ts';

/** A certificate and its private key, both PEM. */
export interface KeyPair {
  cert: string;
  key: string;
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extendedKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

const DAY_MS = 24 * 60 * 60 * 1000;
/** notBefore lies this far back, so that a client whose clock runs a little behind accepts a new certificate. */
const CLOCK_SKEW_MS = 60 * 60 * 1000;

/**
 * A self-signed certificate authority (ECDSA P-256): it signs serving certificates and
 * nothing else (path length 0). Its name carries the time it was made, as k3s' do, so that
 * two clusters' CAs never share a subject.
 */
export function createCertificateAuthority(now: Date, validDays: number): KeyPair {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = distinguishedName(`kubeql-ca@${Math.floor(now.getTime() / 1000)}`);
  const keyId = keyIdentifier(publicKey);
  const cert = signed(privateKey, {
    issuer: name,
    subject: name,
    publicKey,
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + validDays * DAY_MS),
    extensions: [
      extension(OID.basicConstraints, sequence(boolean(true), unsignedInteger(Buffer.from([0]))), true),
      // keyCertSign and cRLSign (bits 5 and 6).
      extension(OID.keyUsage, bitString(Buffer.from([0x06]), 1), true),
      extension(OID.subjectKeyIdentifier, octetString(keyId)),
    ],
  });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** A serving certificate for `names` (DNS names and IP addresses), signed by `ca`. */
export function issueServingCertificate(
  ca: KeyPair,
  names: readonly string[],
  now: Date,
  validDays: number,
): KeyPair {
  const caCert = new X509Certificate(ca.cert);
  const caKey = crypto.createPrivateKey(ca.key);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const cert = signed(caKey, {
    issuer: subjectOf(caCert),
    subject: distinguishedName('kubeql-apiserver'),
    publicKey,
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    // Never past the CA's own end: clients would refuse the chain from then on.
    notAfter: new Date(Math.min(now.getTime() + validDays * DAY_MS, Date.parse(caCert.validTo))),
    extensions: [
      extension(OID.basicConstraints, sequence(), true),
      // digitalSignature (bit 0): what an ECDSA key does in a TLS handshake.
      extension(OID.keyUsage, bitString(Buffer.from([0x80]), 7), true),
      extension(OID.extendedKeyUsage, sequence(objectIdentifier(OID.serverAuth))),
      extension(OID.subjectAltName, sequence(...names.map(generalName))),
      extension(OID.authorityKeyIdentifier, sequence(implicit(0, keyIdentifier(caCert.publicKey)))),
    ],
  });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

interface ToBeSigned {
  issuer: Buffer;
  subject: Buffer;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}

function signed(signer: KeyObject, tbs: ToBeSigned): string {
  const algorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  // A positive serial of at most 20 bytes, as RFC 5280 asks.
  const serial = crypto.randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const body = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(serial),
    algorithm,
    tbs.issuer,
    sequence(time(tbs.notBefore), time(tbs.notAfter)),
    tbs.subject,
    tbs.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...tbs.extensions)),
  );
  // For EC keys Node signs in DER (ECDSA-Sig-Value), the form X.509 carries.
  const signature = crypto.sign('sha256', body, signer);
  const der = sequence(body, algorithm, bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function distinguishedName(commonName: string): Buffer {
  const attribute = (oid: string, value: string) => set(sequence(objectIdentifier(oid), utf8String(value)));
  return sequence(attribute(OID.organization, 'kubeql'), attribute(OID.commonName, commonName));
}

/**
 * The issuer's subject exactly as encoded in its certificate: clients chain a certificate
 * to its issuer by comparing these bytes.
 */
function subjectOf(cert: X509Certificate): Buffer {
  const tbs = children(cert.raw)[0];
  // version [0], serialNumber, signature, issuer, validity, subject
  return children(tbs)[5];
}

/** RFC 5280's method 1: the SHA-1 of the public key's bits. */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyBits = children(spki)[1].subarray(3);
  return crypto.createHash('sha1').update(keyBits).digest();
}

function extension(oid: string, value: Buffer, critical = false): Buffer {
  // DER leaves out a field at its default: `critical` only when true.
  return sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** A subjectAltName entry: iPAddress [7] for an address, dNSName [2] for a name. */
function generalName(name: string): Buffer {
  if (net.isIP(name)) return implicit(7, ipAddressBytes(name));
  if (!isDnsName(name)) throw new Error(`"${name}" is neither a DNS name nor an IP address`);
  return implicit(2, Buffer.from(name.toLowerCase(), 'ascii'));
}

/** A name a certificate may carry as a dNSName: letters, digits, dots and hyphens, or a "*." wildcard before them. */
export function isDnsName(name: string): boolean {
  return /^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(name);
}

/** An IPv4 (4 bytes) or IPv6 address (16 bytes, `::` and a trailing dotted quad expanded). */
export function ipAddressBytes(address: string): Buffer {
  if (net.isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  let text = address.split('%')[0];
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const [head, tail] = text.split('::');
  const words =
    tail === undefined
      ? groups(head)
      : [
          ...groups(head),
          ...new Array<number>(8 - groups(head).length - groups(tail).length).fill(0),
          ...groups(tail),
        ];
  const bytes = Buffer.alloc(16);
  words.forEach((word, i) => bytes.writeUInt16BE(word, i * 2));
  return bytes;
}
