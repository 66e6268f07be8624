import { fieldError, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { StatefulSet } from '../../schema/kinds/statefulset.ts';
import type { KindAdmission } from './admission.ts';
import { ALWAYS, defaultTemplate, validateSelector, validateTemplate } from './pod-template.ts';
import * as v from './validation.ts';

export const statefulSetAdmission: KindAdmission<StatefulSet & Resource> = {
  default(sts) {
    const spec: StatefulSet['spec'] = sts.spec;
    if (!spec) return;
    spec.podManagementPolicy ??= 'OrderedReady';
    const strategy = (spec.updateStrategy ??= {});
    // Kubernetes adds rollingUpdate only when it picks the strategy type itself.
    if (!strategy.type) {
      strategy.type = 'RollingUpdate';
      strategy.rollingUpdate ??= {};
    }
    if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) strategy.rollingUpdate.partition ??= 0;
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
    retention.whenDeleted ??= 'Retain';
    retention.whenScaled ??= 'Retain';
    for (const claim of spec.volumeClaimTemplates ?? []) {
      // What Kubernetes' defaulting of a PersistentVolumeClaim gives each template.
      claim.apiVersion ??= 'v1';
      claim.kind ??= 'PersistentVolumeClaim';
      if (claim.spec) claim.spec.volumeMode ??= 'Filesystem';
      (claim.status ??= {}).phase ??= 'Pending';
    }
    defaultTemplate(spec.template);
  },
  validate(sts, ctx) {
    const errors: FieldError[] = [];
    const spec: StatefulSet['spec'] = sts.spec;
    validateSelector(spec?.selector, spec?.template, errors, 'empty selector is invalid for statefulset');
    const claims = spec?.volumeClaimTemplates ?? [];
    claims.forEach((claim, i) => {
      if (!claim.metadata?.name)
        errors.push(
          fieldError(`spec.volumeClaimTemplates[${i}].metadata.name`, 'Required', 'Required value'),
        );
    });
    const claimNames = claims.map((claim) => claim.metadata?.name).filter((name) => name !== undefined);
    validateTemplate(spec?.template, 'spec.template', ALWAYS, errors, 'StatefulSet', claimNames);
    v.nonNegative(spec?.replicas, 'spec.replicas', errors);
    v.nonNegative(spec?.minReadySeconds, 'spec.minReadySeconds', errors);
    v.nonNegative(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit', errors);
    v.nonNegative(spec?.ordinals?.start, 'spec.ordinals.start', errors);
    const strategy = spec?.updateStrategy;
    const update = strategy?.rollingUpdate;
    if (update && strategy?.type !== 'RollingUpdate') {
      errors.push(
        fieldError(
          'spec.updateStrategy.rollingUpdate',
          'Invalid',
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      );
    }
    v.nonNegative(update?.partition, 'spec.updateStrategy.rollingUpdate.partition', errors);
    v.intOrPercent(update?.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable', errors);
    if (ctx.old) {
      const old = ctx.old.spec;
      v.immutable(spec?.selector, old?.selector, 'spec.selector', errors);
      v.immutable(spec?.serviceName, old?.serviceName, 'spec.serviceName', errors);
      v.immutable(spec?.podManagementPolicy, old?.podManagementPolicy, 'spec.podManagementPolicy', errors);
      v.immutable(spec?.volumeClaimTemplates, old?.volumeClaimTemplates, 'spec.volumeClaimTemplates', errors);
    }
    return errors;
  },
};
