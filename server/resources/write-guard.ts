import type { Resource } from '../../schema/kind.ts';
import type { TxView } from '../store/store.ts';

/**
 * Asked by ResourceService before it stores an object a caller writes (ResourceService.admitting),
 * inside the write's commit, with the object as it will be stored and as it is (undefined on
 * create): the caller's admission, such as RBAC's escalation check. Throws to refuse.
 */
export type WriteGuard = (obj: Resource, current: Resource | undefined, tx: TxView) => void;
