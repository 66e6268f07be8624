import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { Endpoints } from '../../schema/kinds/endpoints.ts';
import type { KindAdmission } from './admission.ts';
import { parseIPv4 } from './service-allocation.ts';
import * as validation from './validation.ts';

type EndpointsObject = Endpoints & Resource;
type EndpointAddress = NonNullable<NonNullable<Endpoints['subsets']>[number]['addresses']>[number];

function validateAddress(address: EndpointAddress, path: string, errors: FieldError[]): void {
  if (parseIPv4(address.ip) === undefined) {
    errors.push(
      fieldError(
        joinPath(path, 'ip'),
        'Invalid',
        `Invalid value: "${address.ip}": must be a valid IPv4 address`,
      ),
    );
  }
  if (address.hostname) validation.dns1123Label(address.hostname, joinPath(path, 'hostname'), errors);
  if (address.nodeName) validation.dns1123Subdomain(address.nodeName, joinPath(path, 'nodeName'), errors);
}

export const endpointsAdmission: KindAdmission<EndpointsObject> = {
  default(ep) {
    for (const subset of ep.subsets ?? []) for (const port of subset.ports ?? []) port.protocol ??= 'TCP';
  },

  validate(ep) {
    const errors: FieldError[] = [];
    ep.subsets?.forEach((subset, i) => {
      const at = joinPath('subsets', i);
      if (!subset.addresses?.length && !subset.notReadyAddresses?.length) {
        errors.push(fieldError(at, 'Required', 'must specify `addresses` or `notReadyAddresses`'));
      }
      subset.addresses?.forEach((address, j) =>
        validateAddress(address, joinPath(joinPath(at, 'addresses'), j), errors),
      );
      subset.notReadyAddresses?.forEach((address, j) =>
        validateAddress(address, joinPath(joinPath(at, 'notReadyAddresses'), j), errors),
      );
      const ports = subset.ports ?? [];
      const names = new Set<string>();
      ports.forEach((port, j) => {
        const portPath = joinPath(joinPath(at, 'ports'), j);
        validation.portName(port.name, ports.length, joinPath(portPath, 'name'), names, errors);
        validation.portNumber(port.port, joinPath(portPath, 'port'), errors);
      });
    });
    return errors;
  },
};
