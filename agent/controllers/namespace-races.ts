import { isCode } from '../../client/index.ts';

/**
 * Whether a write of an object every namespace holds (its default ServiceAccount, the CA's
 * ConfigMap) lost a race that needs no retry: another writer made it first, or the namespace
 * is gone or terminating (which refuses creates in it as FORBIDDEN).
 */
export function isNamespaceRace(error: unknown): boolean {
  return isCode(error, 'ALREADY_EXISTS') || isCode(error, 'NOT_FOUND') || isCode(error, 'FORBIDDEN');
}
