/**
 * Request bodies kubectl 1.33 sent (`-n fixtures`, captured with `-v=8`), each with the JSON
 * form of the same object: what `--dry-run=client -o json` prints, less the null
 * creationTimestamp and the zero values that protobuf always carries and JSON leaves out.
 */
export const KUBECTL_BODIES: { command: string; hex: string; json: unknown }[] = [
  {
    command:
      "kubectl create secret generic creds --from-literal=user=admin --from-literal=password='s3cr3t!'",
    hex:
      '6b3873000a0c0a027631120653656372657412450a1d0a05637265647312001a08666978747572657322002a00320038' +
      '00420012130a0870617373776f7264120773336372337421120d0a0475736572120561646d696e1a001a002200',
    json: {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'creds', namespace: 'fixtures' },
      data: { password: 'czNjcjN0IQ==', user: 'YWRtaW4=' },
    },
  },
  {
    command: "kubectl create ingress site --class=nginx --rule='example.com/api*=api:http,tls=site-cert'",
    hex:
      '6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e6772657373127b0a1c0a047369746512' +
      '001a08666978747572657322002a00320038004200125712180a0b6578616d706c652e636f6d1209736974652d636572' +
      '741a340a0b6578616d706c652e636f6d12250a230a210a042f6170691211220f0a0361706912080a046874747010001a' +
      '0650726566697822056e67696e781a020a001a002200',
    json: {
      kind: 'Ingress',
      apiVersion: 'networking.k8s.io/v1',
      metadata: { name: 'site', namespace: 'fixtures' },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['example.com'], secretName: 'site-cert' }],
        rules: [
          {
            host: 'example.com',
            http: {
              paths: [
                {
                  path: '/api',
                  pathType: 'Prefix',
                  backend: { service: { name: 'api', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: {} },
    },
  },
  {
    command: 'kubectl create poddisruptionbudget web --selector=app=web --max-unavailable=20%',
    hex:
      '6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e42756467657412440a1b0a0377656212' +
      '001a08666978747572657322002a003200380042001219120c0a0a0a0361707012037765621a09080110001a03323025' +
      '1a0a080018002000280030001a002200',
    json: {
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      metadata: { name: 'web', namespace: 'fixtures' },
      spec: { selector: { matchLabels: { app: 'web' } }, maxUnavailable: '20%' },
      status: {},
    },
  },
  {
    command:
      'kubectl create quota limits --hard=pods=10,requests.cpu=500m,requests.memory=1Gi --scopes=NotBestEffort',
    hex:
      '6b3873000a130a027631120d5265736f7572636551756f746112730a1e0a066c696d69747312001a0866697874757265' +
      '7322002a00320038004200124f0a0c0a04706f647312040a0231300a160a0c72657175657374732e63707512060a0435' +
      '30306d0a180a0f72657175657374732e6d656d6f727912050a03314769120d4e6f74426573744566666f72741a001a00' +
      '2200',
    json: {
      kind: 'ResourceQuota',
      apiVersion: 'v1',
      metadata: { name: 'limits', namespace: 'fixtures' },
      spec: {
        hard: { pods: '10', 'requests.cpu': '500m', 'requests.memory': '1Gi' },
        scopes: ['NotBestEffort'],
      },
      status: {},
    },
  },
];
