import type { X509Certificate } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { ipAddressBytes, isDnsName } from './certificate.ts';

/**
 * How pods reach the API server: the `kubernetes` Service's names and ClusterIP, which
 * kube-apiserver's certificate carries too, so a pod can verify it with its ca.crt.
 */
const IN_CLUSTER_NAMES = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
  '10.96.0.1',
];

/**
 * The names a serving certificate is for: localhost, the host's name, the loopback
 * addresses, every address of the host's interfaces, the in-cluster names of the
 * `kubernetes` Service and the extra names asked for (`--tls-san`: a load balancer's
 * name, a public address). IPv6 link-local addresses are
 * left out: they mean nothing without the interface, which a URL seldom names.
 */
export function servingNames(extra: readonly string[] = [], listenAddress?: string): string[] {
  const addresses = Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .map((entry) => entry.address)
    .filter((address) => !/^fe[89ab][0-9a-f]:/i.test(address));
  const specific =
    listenAddress && net.isIP(listenAddress) && !isUnspecified(listenAddress) ? [listenAddress] : [];
  // A host name a certificate cannot carry (an underscore in it, say) is left to --tls-san.
  const host = isDnsName(os.hostname()) ? [os.hostname()] : [];
  const all = [
    'localhost',
    ...host,
    '127.0.0.1',
    '::1',
    ...addresses,
    ...specific,
    ...IN_CLUSTER_NAMES,
    ...extra,
  ];
  const seen = new Set<string>();
  return all.filter((name) => {
    const key = nameKey(name);
    if (!name || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether a certificate is for exactly these names, no more and no fewer. */
export function namesMatch(cert: X509Certificate, names: readonly string[]): boolean {
  const have = new Set(certificateNames(cert).map(nameKey));
  const want = new Set(names.map(nameKey));
  return have.size === want.size && [...want].every((key) => have.has(key));
}

function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || ipAddressBytes(address).every((byte) => byte === 0);
}

/** The subjectAltName entries, as Node lists them ("DNS:localhost, IP Address:0:0:0:0:0:0:0:1"). */
function certificateNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .map((entry) => /^(?:DNS|IP Address):(.*)$/.exec(entry)?.[1])
    .filter((name): name is string => name !== undefined);
}

/** One spelling per name: an address by its bytes (::1 is 0:0:0:0:0:0:0:1), a DNS name in lower case. */
function nameKey(name: string): string {
  return net.isIP(name) ? `ip:${ipAddressBytes(name).toString('hex')}` : `dns:${name.toLowerCase()}`;
}
