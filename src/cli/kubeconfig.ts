/**
 * @module The admin kubeconfig: the cluster's CA, the API URL and the admin
 * bearer token, written to DATA_DIR/kubeconfig.yaml and printed by
 * `nanokube kubeconfig`.
 */
import { stringify } from 'yaml';

export function kubeconfigYaml(opts: { server: string; caCert: string; token: string; name?: string }): string {
  const name = opts.name ?? 'nanokube';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server, 'certificate-authority-data': Buffer.from(opts.caCert).toString('base64') } }],
    users: [{ name: `${name}-admin`, user: { token: opts.token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
    'current-context': name,
    preferences: {},
  });
}
