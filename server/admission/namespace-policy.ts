import type { Resource } from '../../schema/kind.ts';
import type { Pod } from '../../schema/kinds/pod.ts';
import type { AdmissionContext, KindAdmission } from './admission.ts';
import { applyLimitRangeDefaults, limitRangeViolation, limitRangesOf } from './limit-ranger.ts';
import { quotaRefusal } from './quota-admission.ts';

/** Whether the LimitRanges of the namespace apply to this write: new pods, and claims. */
function limited(obj: Resource, ctx: AdmissionContext): boolean {
  return (obj.kind === 'Pod' && !ctx.old) || obj.kind === 'PersistentVolumeClaim';
}

/**
 * A kind's admission with the namespace's policy around it, in Kubernetes' order:
 * LimitRanger defaults after the kind's own defaults (which then run again, so that what
 * derives from resources, a pod's QoS class, sees them); after validation, LimitRanger's
 * bounds and then ResourceQuota.
 */
export function withNamespacePolicy(admission: KindAdmission): KindAdmission {
  return {
    ...admission,
    default(obj, ctx) {
      admission.default?.(obj, ctx);
      if (obj.kind !== 'Pod' || ctx.old || !obj.metadata.namespace) return;
      const ranges = limitRangesOf(ctx, obj.metadata.namespace);
      if (ranges.length && applyLimitRangeDefaults(obj as Resource & Pod, ranges))
        admission.default?.(obj, ctx);
    },
    forbid(obj, ctx) {
      if (limited(obj, ctx) && obj.metadata.namespace) {
        const violation = limitRangeViolation(obj, limitRangesOf(ctx, obj.metadata.namespace));
        if (violation) return violation;
      }
      return admission.forbid?.(obj, ctx) ?? quotaRefusal(obj, ctx);
    },
  };
}
