import { fieldError, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { Event } from '../../schema/kinds/event.ts';
import type { KindAdmission } from './admission.ts';
import * as validation from './validation.ts';

type EventObject = Event & Resource;

export const eventAdmission: KindAdmission<EventObject> = {
  default(ev, ctx) {
    // On update, what the client leaves out keeps its stored value, so that applying
    // the same manifest again is a no-op rather than dropping the defaults set here.
    const old = ctx.old;
    ev.count ??= old?.count ?? 1;
    ev.firstTimestamp ??= old?.firstTimestamp ?? ctx.now;
    ev.lastTimestamp ??= old?.lastTimestamp ?? ev.firstTimestamp;
  },

  validate(ev) {
    const errors: FieldError[] = [];
    const involved = ev.involvedObject;
    if (involved) {
      // Events about cluster-scoped objects (Nodes, Namespaces) are recorded in "default".
      const namespace = ev.metadata.namespace;
      const matches = involved.namespace
        ? involved.namespace === namespace
        : !namespace || namespace === 'default';
      if (!matches) {
        const message = `Invalid value: "${involved.namespace ?? ''}": does not match event.namespace`;
        errors.push(fieldError('involvedObject.namespace', 'Invalid', message));
      }
    }
    validation.nonNegative(ev.count, 'count', errors);
    return errors;
  },
};
