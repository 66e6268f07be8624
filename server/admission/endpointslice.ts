import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { EndpointSlice } from '../../schema/kinds/endpointslice.ts';
import type { KindAdmission } from './admission.ts';
import { parseIPv4 } from './service-allocation.ts';
import * as validation from './validation.ts';

type EndpointSliceObject = EndpointSlice & Resource;

/** Kubernetes' limits on one slice (discovery validation). */
const MAX_ENDPOINTS = 1000;
const MAX_PORTS = 100;
const MAX_ADDRESSES = 100;

function validateAddress(slice: EndpointSliceObject, address: string, path: string, errors: FieldError[]) {
  if (slice.addressType === 'IPv4' && parseIPv4(address) === undefined)
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${address}": must be a valid IPv4 address`));
  else if (slice.addressType === 'IPv6' && !address.includes(':'))
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${address}": must be a valid IPv6 address`));
  else if (slice.addressType === 'FQDN') validation.dns1123Subdomain(address, path, errors);
}

export const endpointSliceAdmission: KindAdmission<EndpointSliceObject> = {
  default(slice) {
    for (const port of slice.ports ?? []) port.protocol ??= 'TCP';
  },

  validate(slice, ctx) {
    const errors: FieldError[] = [];
    const endpoints = slice.endpoints ?? [];
    if (endpoints.length > MAX_ENDPOINTS)
      errors.push(fieldError('endpoints', 'TooMany', `must have at most ${MAX_ENDPOINTS} items`));
    endpoints.forEach((endpoint, i) => {
      const at = joinPath('endpoints', i);
      const addresses = endpoint.addresses ?? [];
      if (!addresses.length)
        errors.push(fieldError(joinPath(at, 'addresses'), 'Required', 'must contain at least 1 address'));
      if (addresses.length > MAX_ADDRESSES)
        errors.push(
          fieldError(joinPath(at, 'addresses'), 'TooMany', `must have at most ${MAX_ADDRESSES} items`),
        );
      addresses.forEach((address, j) =>
        validateAddress(slice, address, joinPath(joinPath(at, 'addresses'), j), errors),
      );
      if (endpoint.hostname) validation.dns1123Label(endpoint.hostname, joinPath(at, 'hostname'), errors);
      if (endpoint.nodeName) validation.dns1123Subdomain(endpoint.nodeName, joinPath(at, 'nodeName'), errors);
    });
    const ports = slice.ports ?? [];
    if (ports.length > MAX_PORTS)
      errors.push(fieldError('ports', 'TooMany', `must have at most ${MAX_PORTS} items`));
    const names = new Set<string>();
    ports.forEach((port, i) => {
      const at = joinPath('ports', i);
      if (port.name && names.has(port.name))
        errors.push(fieldError(joinPath(at, 'name'), 'Duplicate', `Duplicate value: "${port.name}"`));
      if (port.name) {
        names.add(port.name);
        validation.dns1123Label(port.name, joinPath(at, 'name'), errors);
      }
      validation.portNumber(port.port, joinPath(at, 'port'), errors);
    });
    if (ctx.old) validation.immutable(slice.addressType, ctx.old.addressType, 'addressType', errors);
    return errors;
  },
};
