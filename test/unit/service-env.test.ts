import { describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { serviceEnvironment } from '../../agent/node/service-env.ts';

const service = (namespace: string, name: string, spec: Record<string, unknown>): Resource => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec,
});

const kubernetes = service('default', 'kubernetes', {
  clusterIP: '10.96.0.1',
  ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
});
const redis = service('shop', 'redis-primary', {
  clusterIP: '10.96.12.7',
  ports: [
    { name: 'redis', port: 6379, targetPort: 6379 },
    { name: 'metrics-http', port: 9121, protocol: 'TCP' },
    { name: 'dns', port: 53, protocol: 'UDP' },
  ],
});

describe('serviceEnvironment', () => {
  it("builds the kubelet's variables for services of the pod's namespace and kubernetes", () => {
    const env = serviceEnvironment([kubernetes, redis], 'shop', true);
    expect(env).toEqual({
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
      REDIS_PRIMARY_SERVICE_HOST: '10.96.12.7',
      REDIS_PRIMARY_SERVICE_PORT: '6379',
      REDIS_PRIMARY_SERVICE_PORT_REDIS: '6379',
      REDIS_PRIMARY_SERVICE_PORT_METRICS_HTTP: '9121',
      REDIS_PRIMARY_SERVICE_PORT_DNS: '53',
      REDIS_PRIMARY_PORT: 'tcp://10.96.12.7:6379',
      REDIS_PRIMARY_PORT_6379_TCP: 'tcp://10.96.12.7:6379',
      REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_PRIMARY_PORT_6379_TCP_PORT: '6379',
      REDIS_PRIMARY_PORT_6379_TCP_ADDR: '10.96.12.7',
      REDIS_PRIMARY_PORT_9121_TCP: 'tcp://10.96.12.7:9121',
      REDIS_PRIMARY_PORT_9121_TCP_PROTO: 'tcp',
      REDIS_PRIMARY_PORT_9121_TCP_PORT: '9121',
      REDIS_PRIMARY_PORT_9121_TCP_ADDR: '10.96.12.7',
      REDIS_PRIMARY_PORT_53_UDP: 'udp://10.96.12.7:53',
      REDIS_PRIMARY_PORT_53_UDP_PROTO: 'udp',
      REDIS_PRIMARY_PORT_53_UDP_PORT: '53',
      REDIS_PRIMARY_PORT_53_UDP_ADDR: '10.96.12.7',
    });
  });

  it('gives an unnamed single port only the unsuffixed SERVICE_PORT', () => {
    const env = serviceEnvironment(
      [service('a', 'web', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] })],
      'a',
    );
    expect(Object.keys(env).filter((k) => k.startsWith('WEB_SERVICE_PORT'))).toEqual(['WEB_SERVICE_PORT']);
    expect(env.WEB_PORT).toBe('tcp://10.96.0.20:80');
  });

  it('leaves out other namespaces, headless, ExternalName and IP-less services', () => {
    const env = serviceEnvironment(
      [
        redis,
        service('other', 'web', { clusterIP: '10.96.0.30', ports: [{ port: 80 }] }),
        service('shop', 'peers', { clusterIP: 'None', ports: [{ port: 80 }] }),
        service('shop', 'ext', { type: 'ExternalName', externalName: 'example.com' }),
        service('shop', 'pending', { ports: [{ port: 80 }] }),
      ],
      'shop',
    );
    expect(new Set(Object.keys(env).map((k) => k.split('_')[0]))).toEqual(new Set(['REDIS']));
  });

  it('with enableServiceLinks false keeps only the kubernetes service', () => {
    const env = serviceEnvironment([kubernetes, redis], 'shop', false);
    expect(Object.keys(env).every((k) => k.startsWith('KUBERNETES_'))).toBe(true);
    expect(env.KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
    expect(serviceEnvironment([kubernetes], 'default', false).KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
  });

  it("lets a service called kubernetes in the pod's namespace win over the one in default", () => {
    const own = service('shop', 'kubernetes', { clusterIP: '10.96.5.5', ports: [{ port: 8443 }] });
    expect(serviceEnvironment([own, kubernetes], 'shop').KUBERNETES_SERVICE_HOST).toBe('10.96.5.5');
    expect(serviceEnvironment([kubernetes, own], 'shop').KUBERNETES_SERVICE_HOST).toBe('10.96.5.5');
    expect(serviceEnvironment([kubernetes, own], 'shop', false).KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
  });
});
