import { describe, expect, it } from 'vitest';
import { deploymentKind } from '../../schema/kinds/deployment.ts';
import { FieldSet } from '../../server/apply/field-set.ts';
import { fromFieldsV1, rootFromFieldsV1, toFieldsV1 } from '../../server/apply/fields-v1.ts';
import { compareFields, fieldsOf } from '../../server/apply/object-fields.ts';
import { keyElement, printPath } from '../../server/apply/path-element.ts';
import { ApiError } from '../../server/errors.ts';

// Field sets (server/apply/): the paths an object sets, walked with its kind's shape, their
// FieldsV1 encoding, and the set operations ownership is computed with.

const printed = (set: FieldSet) => set.paths().map(printPath);

const deployment = {
  metadata: { labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            args: ['-g', 'daemon off;'],
            ports: [{ containerPort: 80 }],
          },
        ],
      },
    },
  },
};

describe('the fields an object sets', () => {
  it('walks objects and maps field by field, keyed lists item by item, other lists whole', () => {
    expect(printed(fieldsOf(deploymentKind.shape, deployment))).toEqual([
      '.metadata.labels.app',
      '.spec.replicas',
      '.spec.selector.matchLabels.app',
      '.spec.template.metadata.labels.app',
      '.spec.template.spec.containers[name="web"]',
      '.spec.template.spec.containers[name="web"].args',
      '.spec.template.spec.containers[name="web"].image',
      '.spec.template.spec.containers[name="web"].name',
      // A port without its protocol is keyed as the stored one, which defaults it to TCP.
      '.spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]',
      '.spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].containerPort',
    ]);
  });

  it('owns a keyed list whole when its items cannot be told apart', () => {
    const twice = { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } } } };
    expect(printed(fieldsOf(deploymentKind.shape, twice))).toEqual(['.spec.template.spec.containers']);
  });

  it('compares two versions: added, modified and removed paths', () => {
    const next = structuredClone(deployment) as typeof deployment & { spec: { paused?: boolean } };
    next.spec.replicas = 3;
    next.spec.paused = true;
    next.spec.template.spec.containers[0].args = ['-g'];
    delete (next.metadata.labels as { app?: string }).app;
    const { added, modified, removed } = compareFields(deploymentKind.shape, deployment, next);
    expect(printed(added)).toEqual(['.spec.paused']);
    expect(printed(modified)).toEqual(['.spec.replicas', '.spec.template.spec.containers[name="web"].args']);
    expect(printed(removed)).toEqual(['.metadata.labels.app']);
  });

  it('compares a keyed list by item: a new item is added with its fields, a gone one removed', () => {
    const next = structuredClone(deployment);
    next.spec.template.spec.containers = [{ name: 'side', image: 'busybox' }] as never;
    const { added, removed, modified } = compareFields(deploymentKind.shape, deployment, next);
    expect(printed(added)).toEqual([
      '.spec.template.spec.containers[name="side"]',
      '.spec.template.spec.containers[name="side"].image',
      '.spec.template.spec.containers[name="side"].name',
    ]);
    expect(printed(removed)).toContain('.spec.template.spec.containers[name="web"]');
    expect(modified.isEmpty()).toBe(true);
  });
});

describe('set operations', () => {
  const a = FieldSet.of(['f:spec', 'f:replicas'], ['f:spec', 'f:paused'], ['f:metadata']);
  const b = FieldSet.of(['f:spec', 'f:replicas'], ['f:spec']);

  it('union, intersection and difference are by exact path', () => {
    expect(printed(a.union(b))).toEqual(['.metadata', '.spec', '.spec.paused', '.spec.replicas']);
    expect(printed(a.intersection(b))).toEqual(['.spec.replicas']);
    // Owning `.spec` is not owning `.spec.paused`: difference takes exact paths only.
    expect(printed(a.difference(b))).toEqual(['.metadata', '.spec.paused']);
    expect(a.difference(a).isEmpty()).toBe(true);
    expect(a.union(b).equals(b.union(a))).toBe(true);
    expect(a.equals(b)).toBe(false);
  });

  it('prints keys and set values as Kubernetes does', () => {
    expect(printPath(['f:spec', keyElement({ protocol: 'TCP', port: 80 }), 'f:name'])).toBe(
      '.spec[port=80,protocol="TCP"].name',
    );
    expect(printPath(['f:metadata', 'f:finalizers', 'v:"a"'])).toBe('.metadata.finalizers[="a"]');
  });
});

describe('FieldsV1', () => {
  it('encodes leaves as {}, and a member with children with "."', () => {
    const set = fieldsOf(deploymentKind.shape, {
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'x' }] } } },
    });
    expect(toFieldsV1(set)).toEqual({
      'f:spec': {
        'f:replicas': {},
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} },
            },
          },
        },
      },
    });
  });

  it('decodes what it encodes, and what Kubernetes writes', () => {
    const set = fieldsOf(deploymentKind.shape, deployment);
    expect(rootFromFieldsV1(toFieldsV1(set)).equals(set)).toBe(true);
    const kubernetes = {
      'f:metadata': { 'f:finalizers': { '.': {}, 'v:"a"': {} } },
      'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } },
    };
    expect(printed(rootFromFieldsV1(kubernetes))).toEqual([
      '.metadata.finalizers',
      '.metadata.finalizers[="a"]',
      '.spec.ports[port=80,protocol="TCP"]',
      '.spec.ports[port=80,protocol="TCP"].port',
    ]);
    expect(toFieldsV1(rootFromFieldsV1(kubernetes))).toEqual(kubernetes);
  });

  it('refuses what is not a field set', () => {
    for (const bad of [[], 'f:x', { 'x:y': {} }, { 'k:notjson': {} }, { 'f:a': 1 }]) {
      expect(() => fromFieldsV1(bad), JSON.stringify(bad)).toThrow(ApiError);
    }
  });
});
