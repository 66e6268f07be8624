import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../../schema/kinds/networkpolicy.ts';
import type { KindAdmission } from './admission.ts';
import { cidr, strictSubset } from './network-validation.ts';
import * as v from './validation.ts';

type NetworkPolicyObject = NetworkPolicy & Resource;
type Port = NonNullable<NonNullable<NetworkPolicySpec['ingress']>[number]['ports']>[number];
type Peer = NonNullable<NonNullable<NetworkPolicySpec['ingress']>[number]['from']>[number];

function port(p: Port, path: string, errors: FieldError[]): void {
  const at = (field: string) => joinPath(path, field);
  if (p.port === undefined) {
    if (p.endPort !== undefined) {
      const message = `Invalid value: ${p.endPort}: may not be specified when \`port\` is not specified`;
      errors.push(fieldError(at('endPort'), 'Invalid', message));
    }
    return;
  }
  v.portNumberOrName(p.port, at('port'), errors);
  if (p.endPort === undefined) return;
  if (typeof p.port !== 'number') {
    const message = `Invalid value: ${p.endPort}: may not be specified when \`port\` is non-numeric`;
    errors.push(fieldError(at('endPort'), 'Invalid', message));
    return;
  }
  if (p.endPort < p.port) {
    errors.push(
      fieldError(
        at('endPort'),
        'Invalid',
        `Invalid value: ${p.endPort}: must be greater than or equal to \`port\``,
      ),
    );
  }
  v.portNumber(p.endPort, at('endPort'), errors);
}

function peer(p: Peer, path: string, errors: FieldError[]): void {
  const given = [p.podSelector, p.namespaceSelector, p.ipBlock].filter((x) => x !== undefined).length;
  v.labelSelector(p.podSelector, joinPath(path, 'podSelector'), errors);
  v.labelSelector(p.namespaceSelector, joinPath(path, 'namespaceSelector'), errors);
  if (p.ipBlock) {
    const at = joinPath(path, 'ipBlock');
    const block = p.ipBlock.cidr ? cidr(p.ipBlock.cidr, joinPath(at, 'cidr'), errors) : undefined;
    if (!p.ipBlock.cidr) errors.push(fieldError(joinPath(at, 'cidr'), 'Required', 'Required value'));
    p.ipBlock.except?.forEach((text, i) => {
      const exceptPath = joinPath(joinPath(at, 'except'), i);
      const except = cidr(text, exceptPath, errors);
      if (block && except && !strictSubset(except, block)) {
        errors.push(
          fieldError(exceptPath, 'Invalid', `Invalid value: "${text}": must be a strict subset of \`cidr\``),
        );
      }
    });
  }
  if (given === 0) errors.push(fieldError(path, 'Required', 'must specify a peer'));
  else if (given > 1 && p.ipBlock)
    errors.push(fieldError(path, 'Forbidden', 'may not specify both ipBlock and another peer'));
}

export const networkPolicyAdmission: KindAdmission<NetworkPolicyObject> = {
  /**
   * As Kubernetes: a policy that names no types restricts Ingress, and Egress too when it
   * has egress rules; ports are TCP unless they say otherwise.
   */
  default(np) {
    const spec = (np.spec ??= { podSelector: {} });
    spec.podSelector ??= {};
    if (!spec.policyTypes?.length)
      spec.policyTypes = spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
    for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
      for (const p of rule.ports ?? []) p.protocol ??= 'TCP';
    }
  },

  validate(np) {
    const errors: FieldError[] = [];
    const spec = np.spec;
    v.labelSelector(spec?.podSelector, 'spec.podSelector', errors);
    spec?.ingress?.forEach((rule, i) => {
      const at = joinPath('spec.ingress', i);
      rule.ports?.forEach((p, j) => port(p, joinPath(joinPath(at, 'ports'), j), errors));
      rule.from?.forEach((p, j) => peer(p, joinPath(joinPath(at, 'from'), j), errors));
    });
    spec?.egress?.forEach((rule, i) => {
      const at = joinPath('spec.egress', i);
      rule.ports?.forEach((p, j) => port(p, joinPath(joinPath(at, 'ports'), j), errors));
      rule.to?.forEach((p, j) => peer(p, joinPath(joinPath(at, 'to'), j), errors));
    });
    if ((spec?.policyTypes?.length ?? 0) > 2) {
      errors.push(fieldError('spec.policyTypes', 'Invalid', 'may not specify more than two policyTypes'));
    }
    return errors;
  },
};
