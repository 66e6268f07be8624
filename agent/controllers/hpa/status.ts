import { isDeepStrictEqual } from 'node:util';
import { setCondition } from '../../conditions.ts';
import { timestamp } from '../../timestamps.ts';
import type { HPACondition, HPAObject, HPAStatus } from './types.ts';

/**
 * The status one evaluation of an HPA is building: the conditions it sets as it goes
 * (Kubernetes' setCondition, the 'in-place' family: a changed status moves
 * lastTransitionTime, reason and message follow, a condition keeps its place), then
 * the fields it ends with.
 */
export class HPAStatusDraft {
  private conditions: readonly HPACondition[];

  constructor(
    private readonly hpa: HPAObject,
    /** The time of this evaluation: what a condition's transition is stamped with. */
    readonly now: number,
  ) {
    this.conditions = hpa.status?.conditions ?? [];
  }

  condition(type: string, status: 'True' | 'False', reason: string, message: string): void {
    const next: HPACondition = { type, status, reason, message, lastTransitionTime: timestamp(this.now) };
    this.conditions = setCondition(this.conditions, next, 'in-place');
  }

  /**
   * `fields` with the conditions set, as it would be stored (undefined members dropped);
   * undefined when that is the status the HPA already has: nothing to write.
   */
  changed(fields: HPAStatus): HPAStatus | undefined {
    const next = JSON.parse(JSON.stringify({ ...fields, conditions: this.conditions })) as HPAStatus;
    return isDeepStrictEqual(next, JSON.parse(JSON.stringify(this.hpa.status ?? {}))) ? undefined : next;
  }
}
