import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostsFile, resolvConf } from './dns-files.ts';

describe('resolvConf', () => {
  it('writes search, nameserver and options lines as a real pod has them', () => {
    assert.equal(
      resolvConf({ nameservers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] }),
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
  });

  it('writes one nameserver line each and leaves out empty lines', () => {
    assert.equal(resolvConf({ nameservers: ['1.2.3.4', '5.6.7.8'], searches: [], options: ['ndots:2', 'edns0'] }), 'nameserver 1.2.3.4\nnameserver 5.6.7.8\noptions ndots:2 edns0\n');
    assert.equal(resolvConf({ nameservers: [], searches: [], options: [] }), '');
  });
});

describe('hostsFile', () => {
  const head = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';

  it('writes the kubelet header, localhost lines and the pod line', () => {
    assert.equal(hostsFile({ podIPs: ['10.244.0.5'], hostname: 'web-0', hostAliases: [] }), `${head}10.244.0.5\tweb-0\n`);
  });

  it('writes the FQDN with a subdomain and the HostAliases section', () => {
    assert.equal(
      hostsFile({
        podIPs: ['10.244.0.5'],
        hostname: 'web-0',
        hostDomain: 'web.default.svc.cluster.local',
        hostAliases: [
          { ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] },
          { ip: '10.1.2.3', hostnames: ['foo.remote'] },
        ],
      }),
      `${head}10.244.0.5\tweb-0.web.default.svc.cluster.local\tweb-0\n\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n10.1.2.3\tfoo.remote\n`,
    );
  });
});
