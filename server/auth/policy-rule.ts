import type { PolicyRule } from '../../schema/kinds/rbac-shapes.ts';
import type { AccessAttributes } from './access-attributes.ts';

/**
 * Whether one RBAC rule covers a request, as Kubernetes matches them: `*` matches any verb,
 * group or resource; a resource entry `pods/log` matches that subresource only, `pods` the
 * object itself only, `*\/log` that subresource of any resource; resourceNames narrow the
 * rule to those objects (a list, a watch or a create, which name none, are then not covered).
 */
export function ruleAllows(rule: PolicyRule, attrs: AccessAttributes): boolean {
  if (!matches(rule.verbs, attrs.verb)) return false;
  if (!matches(rule.apiGroups, attrs.apiGroup)) return false;
  if (!resourceMatches(rule.resources, attrs.resource, attrs.subresource)) return false;
  if (!rule.resourceNames?.length) return true;
  return attrs.name !== undefined && rule.resourceNames.includes(attrs.name);
}

/**
 * Whether one rule covers a request for a path outside the resources (`/healthz`, `/metrics`):
 * an entry matches the path itself, or every path under a prefix it ends with `*`.
 */
export function ruleAllowsPath(rule: PolicyRule, verb: string, path: string): boolean {
  if (!matches(rule.verbs, verb) || !rule.nonResourceURLs) return false;
  return rule.nonResourceURLs.some(
    (url) => url === path || (url.endsWith('*') && path.startsWith(url.slice(0, -1))),
  );
}

function matches(values: readonly string[] | undefined, value: string): boolean {
  return !!values && (values.includes('*') || values.includes(value));
}

function resourceMatches(resources: readonly string[] | undefined, resource: string, subresource?: string) {
  if (!resources) return false;
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const entry of resources) {
    if (entry === '*' || entry === combined) return true;
    if (subresource && entry === `*/${subresource}`) return true;
  }
  return false;
}
