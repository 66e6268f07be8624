import net from 'node:net';
import { fieldError, type FieldError } from '../../schema/field-error.ts';
import * as v from './validation.ts';

/** Checks of hosts and address blocks, with Kubernetes' messages (Ingress hosts, NetworkPolicy ipBlocks). */

/** A host as an Ingress names it: a DNS subdomain, or "*." and one. */
export function host(value: string, path: string, errors: FieldError[]): void {
  if (!value.includes('*')) return v.dns1123Subdomain(value, path, errors);
  const rest = value.startsWith('*.') ? value.slice(2) : '';
  const inner: FieldError[] = [];
  if (rest) v.dns1123Subdomain(rest, path, inner);
  if (!rest || inner.length) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: "${value}": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character`,
      ),
    );
  }
}

/** An address block in CIDR notation. */
export interface Cidr {
  family: 4 | 6;
  /** The address as a bit string, for containment checks. */
  bits: string;
  prefix: number;
}

function addressBits(address: string, family: 4 | 6): string {
  if (family === 4)
    return address
      .split('.')
      .map((part) => Number(part).toString(2).padStart(8, '0'))
      .join('');
  const [head, tail = ''] = address.split('::');
  const groups = (text: string) => (text ? text.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = address.includes('::')
    ? [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)]
    : groups(head);
  return all.map((group) => parseInt(group, 16).toString(2).padStart(16, '0')).join('');
}

/** Parses "10.0.0.0/16" or "2001:db8::/64"; undefined when it is not one. */
export function parseCidr(value: string): Cidr | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const address = value.slice(0, slash);
  const prefixText = value.slice(slash + 1);
  const family = net.isIPv4(address) ? 4 : net.isIPv6(address) && !address.includes('.') ? 6 : 0;
  if (!family || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > (family === 4 ? 32 : 128)) return undefined;
  return { family, bits: addressBits(address, family), prefix };
}

/** A CIDR as Kubernetes checks one; returns it parsed when valid. */
export function cidr(value: string, path: string, errors: FieldError[]): Cidr | undefined {
  const parsed = parseCidr(value);
  if (!parsed) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: "${value}": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`,
      ),
    );
  }
  return parsed;
}

/** Whether `inner` lies within `outer` and is smaller. */
export function strictSubset(inner: Cidr, outer: Cidr): boolean {
  return (
    inner.family === outer.family &&
    inner.prefix > outer.prefix &&
    inner.bits.slice(0, outer.prefix) === outer.bits.slice(0, outer.prefix)
  );
}
